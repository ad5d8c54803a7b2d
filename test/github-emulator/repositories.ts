/**
 * The emulator's repositories: real bare git repositories under one root, laid out as the git
 * server serves them (`<root>/<owner>/<name>.git`), read and written with git plumbing only.
 *
 * Commits are built without a work tree: blobs with `hash-object -w`, the tree in a temporary
 * index (`read-tree` of the parent, `update-index --index-info`, `write-tree`), then
 * `commit-tree`. Branches move with `update-ref <ref> <new> <old>`, git's compare-and-swap: the
 * update happens only if the ref still holds `<old>`, under git's ref lock, so concurrent
 * requests can never lose a commit.
 */
import { randomUUID } from 'node:crypto';
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execaRunner } from '@kustodian/shared/exec';

/** A person in a commit. */
export interface Signature {
  readonly name: string;
  readonly email: string;
}

/** A commit to build on top of `parent` (or as a root commit without one). */
export interface NewCommit {
  readonly parent?: string;
  /** Complete new contents by path. */
  readonly additions: ReadonlyMap<string, Buffer>;
  readonly deletions: readonly string[];
  readonly message: string;
  readonly author: Signature;
  readonly committer: Signature;
}

/** A commit of an existing tree, with any number of parents (none: a root commit). */
export interface TreeCommit {
  readonly tree: string;
  readonly parents: readonly string[];
  readonly message: string;
  readonly author: Signature;
  readonly committer: Signature;
}

/** A commit as read back. */
export interface CommitInfo {
  readonly sha: string;
  readonly tree: string;
  readonly parents: readonly string[];
  readonly author: Signature & { readonly date: string };
  readonly committer: Signature & { readonly date: string };
  readonly message: string;
}

/** One file of a diff: added (`A`), deleted (`D`) or modified (`M`), its blob, its line counts. */
export interface ChangedFile {
  readonly path: string;
  readonly kind: 'A' | 'D' | 'M' | 'T';
  /** Only the mode changed (or the mode too). */
  readonly modeChanged: boolean;
  /** The new blob, or the removed one for a deletion. */
  readonly blob: string;
  readonly additions: number;
  readonly deletions: number;
}

const emptyOid = '';
/** How long `update-ref` waits for a ref lock another request holds. */
const refLockTimeoutMs = 3000;

/** Bare repositories addressed by `owner/name`. */
export class RepositoryStore {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  /** The bare repository's directory. */
  dirOf(fullName: string): string {
    return join(this.root, `${fullName}.git`);
  }

  async exists(fullName: string): Promise<boolean> {
    return access(join(this.dirOf(fullName), 'HEAD')).then(
      () => true,
      () => false,
    );
  }

  /** Creates an empty bare repository whose `HEAD` names `defaultBranch`. */
  async init(fullName: string, defaultBranch: string): Promise<void> {
    const dir = this.dirOf(fullName);
    await mkdir(dirname(dir), { recursive: true });
    await git(this.root, ['init', '--quiet', '--bare', `--initial-branch=${defaultBranch}`, dir]);
  }

  /** The branch `HEAD` names. */
  async defaultBranch(fullName: string): Promise<string> {
    const ref = await git(this.dirOf(fullName), ['symbolic-ref', 'HEAD']);
    return ref.trim().replace(/^refs\/heads\//, '');
  }

  /** The commit a branch points to, or undefined when there is no such branch. */
  async head(fullName: string, branch: string): Promise<string | undefined> {
    const result = await execaRunner(
      'git',
      ['rev-parse', '--verify', '--quiet', `refs/heads/${branch}^{commit}`],
      { cwd: this.dirOf(fullName) },
    );
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** The names of every branch, sorted. */
  async branches(fullName: string): Promise<string[]> {
    const out = await git(this.dirOf(fullName), [
      'for-each-ref',
      '--format=%(refname:lstrip=2)',
      'refs/heads/',
    ]);
    return out
      .split('\n')
      .filter((line) => line !== '')
      .sort();
  }

  /** Whether `sha` names a commit of the repository. */
  async hasCommit(fullName: string, sha: string): Promise<boolean> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return false;
    const result = await execaRunner('git', ['cat-file', '-e', `${sha}^{commit}`], {
      cwd: this.dirOf(fullName),
    });
    return result.exitCode === 0;
  }

  /** The type of the object `sha` names (`commit`, `tree`, `blob`, `tag`); undefined for none. */
  async objectType(fullName: string, sha: string): Promise<string | undefined> {
    if (!/^[0-9a-f]{40}$/.test(sha)) return undefined;
    const result = await execaRunner('git', ['cat-file', '-t', sha], { cwd: this.dirOf(fullName) });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** Whether `ancestor` is reachable from `descendant` (or the same commit). */
  async isAncestor(fullName: string, ancestor: string, descendant: string): Promise<boolean> {
    const result = await execaRunner('git', ['merge-base', '--is-ancestor', ancestor, descendant], {
      cwd: this.dirOf(fullName),
    });
    return result.exitCode === 0;
  }

  /** The best common ancestor of two commits, or undefined when they share no history. */
  async mergeBase(fullName: string, a: string, b: string): Promise<string | undefined> {
    const result = await execaRunner('git', ['merge-base', a, b], { cwd: this.dirOf(fullName) });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** The commits reachable from `head` and not from `base`, oldest first. */
  async commitsBetween(fullName: string, base: string, head: string): Promise<string[]> {
    const out = await git(this.dirOf(fullName), ['rev-list', '--reverse', head, `^${base}`, '--']);
    return out.split('\n').filter((line) => line !== '');
  }

  /** The files that differ between two commits, as `git diff --raw --numstat` sees them. */
  async changedFiles(fullName: string, from: string, to: string): Promise<ChangedFile[]> {
    const dir = this.dirOf(fullName);
    const diff = (format: string) =>
      git(dir, [
        'diff',
        '--no-renames',
        '--no-ext-diff',
        '--no-abbrev',
        '-z',
        format,
        from,
        to,
        '--',
      ]);
    const raw = (await diff('--raw')).split('\0');
    const counts = (await diff('--numstat')).split('\0');
    const lines = new Map<string, { additions: number; deletions: number }>();
    for (const entry of counts) {
      const [added = '', deleted = '', path] = entry.split('\t');
      if (path !== undefined) {
        lines.set(path, { additions: Number(added) || 0, deletions: Number(deleted) || 0 });
      }
    }
    const files: ChangedFile[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const [, oldMode, newMode, oldBlob = '', newBlob = '', kind = ''] = (raw[i] ?? '').split(
        /[: ]/,
      );
      const path = raw[i + 1] ?? '';
      if (path === '') continue;
      files.push({
        path,
        kind: kind as ChangedFile['kind'],
        modeChanged: oldMode !== newMode && kind === 'M',
        blob: kind === 'D' ? oldBlob : newBlob,
        ...(lines.get(path) ?? { additions: 0, deletions: 0 }),
      });
    }
    return files;
  }

  /** Writes the blobs, the tree and the commit; moves no ref. Returns the commit's sha. */
  async writeCommit(fullName: string, commit: NewCommit): Promise<string> {
    const dir = this.dirOf(fullName);
    const scratch = join(tmpdir(), `kustodian-emulator-${randomUUID()}`);
    const blobFile = `${scratch}.blob`;
    const env = { GIT_INDEX_FILE: `${scratch}.index` };
    try {
      if (commit.parent) await git(dir, ['read-tree', commit.parent], { env });
      else await git(dir, ['read-tree', '--empty'], { env });
      const lines: string[] = [];
      for (const [path, content] of commit.additions) {
        // Through a file rather than stdin, so that any bytes arrive unchanged.
        await writeFile(blobFile, content);
        const blob = await git(dir, ['hash-object', '-w', '--', blobFile]);
        lines.push(`100644 ${blob.trim()}\t${path}`);
      }
      // Mode 0 removes the path from the index.
      for (const path of commit.deletions) lines.push(`0 ${'0'.repeat(40)}\t${path}`);
      if (lines.length > 0) {
        await git(dir, ['update-index', '--index-info'], { env, input: `${lines.join('\n')}\n` });
      }
      const tree = (await git(dir, ['write-tree'], { env })).trim();
      const parents = commit.parent ? ['-p', commit.parent] : [];
      const sha = await git(dir, ['commit-tree', tree, ...parents, '-F', '-'], {
        input: commit.message,
        env: identityEnv(commit.author, commit.committer),
      });
      return sha.trim();
    } finally {
      await rm(`${scratch}.index`, { force: true });
      await rm(blobFile, { force: true });
    }
  }

  /** Writes a commit of `commit.tree` with its parents; moves no ref. Returns the commit's sha. */
  async writeTreeCommit(fullName: string, commit: TreeCommit): Promise<string> {
    const parents = commit.parents.flatMap((parent) => ['-p', parent]);
    const sha = await git(
      this.dirOf(fullName),
      ['commit-tree', commit.tree, ...parents, '-F', '-'],
      {
        input: commit.message,
        env: identityEnv(commit.author, commit.committer),
      },
    );
    return sha.trim();
  }

  /**
   * Moves `refs/heads/<branch>` to `next` only if it still points to `expected` (undefined: only
   * if it does not exist yet). Answers whether it moved.
   */
  async compareAndSwap(
    fullName: string,
    branch: string,
    next: string,
    expected: string | undefined,
  ): Promise<boolean> {
    const result = await execaRunner(
      'git',
      [
        '-c',
        `core.filesRefLockTimeout=${refLockTimeoutMs}`,
        'update-ref',
        `refs/heads/${branch}`,
        next,
        expected ?? emptyOid,
      ],
      { cwd: this.dirOf(fullName) },
    );
    return result.exitCode === 0;
  }

  /** Deletes `refs/heads/<branch>` if it still points to `expected`; answers whether it did. */
  async deleteBranch(fullName: string, branch: string, expected: string): Promise<boolean> {
    const result = await execaRunner(
      'git',
      ['update-ref', '-d', `refs/heads/${branch}`, expected],
      { cwd: this.dirOf(fullName) },
    );
    return result.exitCode === 0;
  }

  /** The content of `path` at `revision`, or undefined when it is not there. */
  async readFile(fullName: string, revision: string, path: string): Promise<string | undefined> {
    const result = await execaRunner('git', ['cat-file', 'blob', `${revision}:${path}`], {
      cwd: this.dirOf(fullName),
    });
    return result.exitCode === 0 ? result.stdout : undefined;
  }

  /** The type of what `path` names at `revision` (`blob`, `tree`, `commit`); undefined for nothing. */
  async pathType(fullName: string, revision: string, path: string): Promise<string | undefined> {
    const result = await execaRunner('git', ['cat-file', '-t', `${revision}:${path}`], {
      cwd: this.dirOf(fullName),
    });
    return result.exitCode === 0 ? result.stdout.trim() : undefined;
  }

  /** Reads one commit. */
  async commit(fullName: string, sha: string): Promise<CommitInfo> {
    const format = ['%H', '%T', '%P', '%an', '%ae', '%aI', '%cn', '%ce', '%cI', '%B'].join('%x00');
    const out = await git(this.dirOf(fullName), ['log', '-1', `--format=${format}`, sha, '--']);
    const [
      hash = '',
      tree = '',
      parents = '',
      an = '',
      ae = '',
      ad = '',
      cn = '',
      ce = '',
      cd = '',
    ] = out.split('\0');
    const message = out.split('\0').slice(9).join('\0').replace(/\n$/, '');
    return {
      sha: hash,
      tree,
      parents: parents === '' ? [] : parents.split(' '),
      author: { name: an, email: ae, date: ad },
      committer: { name: cn, email: ce, date: cd },
      message,
    };
  }
}

function identityEnv(author: Signature, committer: Signature): Record<string, string> {
  return {
    GIT_AUTHOR_NAME: author.name,
    GIT_AUTHOR_EMAIL: author.email,
    GIT_COMMITTER_NAME: committer.name,
    GIT_COMMITTER_EMAIL: committer.email,
  };
}

/** Runs git and returns its stdout, or throws with its stderr. */
async function git(
  cwd: string,
  args: readonly string[],
  options: { env?: Record<string, string>; input?: string } = {},
): Promise<string> {
  const result = await execaRunner('git', args, {
    cwd,
    ...(options.env ? { env: options.env } : {}),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  if (result.exitCode !== 0) {
    throw new Error(`git ${args[0]} in ${cwd} exited ${result.exitCode}: ${result.stderr.trim()}`);
  }
  return result.stdout;
}
