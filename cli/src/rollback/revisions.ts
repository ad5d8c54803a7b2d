/**
 * Reading past revisions in the rollback's working copy: whether a commit is there, its message,
 * the files under a path, and a file's content. The only git the rollback runs besides the
 * Action's own `Git` (clone, commit, push), through the same `RunCommand`, argv only.
 */
import { StepError } from '@kustodian/shared/errors';
import type { RunCommand } from '@kustodian/shared/exec';
import type { TreeEntry } from './restore.ts';

/** What the rollback reads of the working copy's history. */
export interface Revisions {
  /** Whether `commit` is a commit of the working copy (the branch's history). */
  has(commit: string): Promise<boolean>;
  /** The whole message of `commit`. */
  message(commit: string): Promise<string>;
  /** The files under `path` (`.` for all) at `revision`, paths from the repository root. */
  files(revision: string, path: string): Promise<TreeEntry[]>;
  /** The content of a blob, as UTF-8 text. */
  text(blob: string): Promise<string>;
}

/** {@link Revisions} over the git command line in the working copy at `dir`. */
export function gitRevisions(runCommand: RunCommand, dir: string): Revisions {
  const git = (args: readonly string[]) =>
    runCommand('git', ['-c', 'core.hooksPath=/dev/null', ...args], { cwd: dir });
  const checked = async (args: readonly string[]): Promise<string> => {
    const result = await git(args);
    if (result.exitCode !== 0 || result.timedOut)
      throw new StepError(
        'git',
        args[0] ?? 'git',
        `exited ${result.exitCode ?? 'on a signal'}: ${result.stderr.trim().split('\n').slice(-4).join('\n')}`,
      );
    return result.stdout;
  };
  return {
    has: async (commit) => (await git(['cat-file', '-e', `${commit}^{commit}`])).exitCode === 0,
    message: (commit) => checked(['log', '-1', '--format=%B', commit, '--']),
    files: async (revision, path) => {
      const out = await checked(['ls-tree', '-r', '-z', '--full-tree', revision, '--', path]);
      return out
        .split('\0')
        .filter((line) => line !== '')
        .map((line) => {
          // `<mode> SP <type> SP <object> TAB <path>`
          const tab = line.indexOf('\t');
          const [mode = '', , blob = ''] = line.slice(0, tab).split(' ');
          return { path: line.slice(tab + 1), mode, blob };
        });
    },
    text: (blob) => checked(['cat-file', 'blob', blob]),
  };
}
