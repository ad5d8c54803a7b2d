/**
 * The `Git` interface over the git command line: argv only, through the shared `RunCommand`,
 * never a shell. Credentials come in through the environment (see `remote.ts`), and every
 * message that leaves here is redacted of them.
 */
import { dirname } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import type { RunCommand, RunResult } from '@kustodian/shared/exec';
import { redactAll } from '@kustodian/shared/redact';
import type { Git, GitIdentity, PushOutcome } from './git.ts';

/** What the CLI needs. */
export interface GitCliOptions {
  /** The working copy's directory (created by `clone`). */
  readonly dir: string;
  /** The remote's URL, without credentials. */
  readonly remoteUrl: string;
  readonly runCommand: RunCommand;
  /** Variables for every git process: the authentication of `gitAuthEnv`. */
  readonly env: Readonly<Record<string, string>>;
  /** Values removed from every message (the token and its derived forms). */
  readonly secrets: readonly string[];
  /** Time limit of one git command; 5 minutes when absent. */
  readonly timeoutMs?: number;
}

/** Settings for every command: no hooks, no signing prompts, no pager, no fsmonitor. */
const safeConfig = [
  '-c',
  'core.hooksPath=/dev/null',
  '-c',
  'commit.gpgSign=false',
  '-c',
  'core.fsmonitor=false',
  '-c',
  'advice.detachedHead=false',
] as const;

/** Words in git's push output that mean "the branch moved; fetch and try again". */
const movedBranch =
  /\[rejected\]|non-fast-forward|fetch first|\[remote rejected\].*(?:lock|update ref)|stale info/i;

/** Per-command additions: another directory, more environment, stdin. */
interface Extra {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly input?: string;
}

/** Creates the `Git` of one working copy. */
export function createGitCli(options: GitCliOptions): Git {
  const git = (args: readonly string[], extra: Extra = {}): Promise<RunResult> =>
    options.runCommand('git', [...safeConfig, ...args], {
      cwd: extra.cwd ?? options.dir,
      env: { ...options.env, ...extra.env },
      timeoutMs: options.timeoutMs ?? 300_000,
      ...(extra.input === undefined ? {} : { input: extra.input }),
    });
  const checked = async (args: readonly string[], extra: Extra = {}): Promise<string> => {
    const result = await git(args, extra);
    if (result.exitCode !== 0 || result.timedOut) throw failure(args, result, options.secrets);
    return result.stdout;
  };
  return {
    dir: options.dir,
    clone: async (branch, cloning = {}) => {
      const which = branch === undefined ? [] : ['--branch', branch];
      // The Action takes only the tip: it edits and commits on top of it and compares trees,
      // never history (a config repository of image bumps has a commit per bump).
      const depth = cloning.history ? [] : ['--depth=1'];
      const args = [
        'clone',
        '--quiet',
        ...depth,
        '--no-tags',
        '--single-branch',
        ...which,
        '--',
        options.remoteUrl,
        options.dir,
      ];
      await checked(args, { cwd: dirname(options.dir) });
    },
    currentBranch: async () =>
      (await checked(['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim(),
    head: async () => (await checked(['rev-parse', '--verify', 'HEAD^{commit}'])).trim(),
    resetToRemote: async (branch) => {
      const tracking = `refs/remotes/origin/${branch}`;
      await checked([
        'fetch',
        '--quiet',
        '--no-tags',
        'origin',
        '--',
        `+refs/heads/${branch}:${tracking}`,
      ]);
      await checked(['reset', '--quiet', '--hard', tracking]);
      return (await checked(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
    },
    commit: async (paths, message, author: GitIdentity) => {
      await checked(['add', '--', ...paths]);
      const env = {
        GIT_AUTHOR_NAME: author.name,
        GIT_AUTHOR_EMAIL: author.email,
        GIT_COMMITTER_NAME: author.name,
        GIT_COMMITTER_EMAIL: author.email,
      };
      await checked(['commit', '--quiet', '--no-verify', '--file=-', '--', ...paths], {
        env,
        input: message,
      });
      return (await checked(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
    },
    push: (branch) => push(['push', '--porcelain', 'origin', `HEAD:refs/heads/${branch}`]),
    changedPaths: async (from, to) => {
      const out = await checked(['diff', '--name-only', '-z', '--no-renames', from, to, '--']);
      return out.split('\0').filter((path) => path !== '');
    },
  };

  async function push(args: readonly string[]): Promise<PushOutcome> {
    const result = await git(args);
    if (result.exitCode === 0 && !result.timedOut) return 'pushed';
    if (movedBranch.test(`${result.stdout}\n${result.stderr}`)) return 'rejected';
    throw failure(args, result, options.secrets);
  }
}

/** A `StepError` naming the git subcommand, with the end of its output, redacted. */
function failure(
  args: readonly string[],
  result: RunResult,
  secrets: readonly string[],
): StepError {
  const how = result.timedOut
    ? 'did not finish in time'
    : `exited ${result.exitCode ?? 'on a signal'}`;
  const output = `${result.stderr}\n${result.stdout}`.trim().split('\n').slice(-8).join('\n');
  return new StepError(
    'git',
    args[0] ?? 'git',
    `${how}: ${redactAll(output, secrets) || '(no output)'}`,
  );
}
