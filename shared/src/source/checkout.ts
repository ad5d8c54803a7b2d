/**
 * Puts one exact commit of a repository on disk: a fresh repository, one shallow fetch of that
 * commit (the server must allow fetching a commit by its hash, as the big forges do), a size
 * check on the tree, a detached checkout, and `.git` removed so rendering sees only the files.
 *
 * The work happens in a temporary sibling directory that is renamed into place at the end, so
 * the final directory either holds the whole checkout or does not exist.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { commitTime } from '../time.ts';
import { withAuth } from './auth-files.ts';
import { SourceError } from './failure.ts';
import type { PreparedSource, SourceDeps } from './request.ts';
import { gitStep } from './run-git.ts';
import { treeSize } from './tree-size.ts';

/** What {@link checkoutCommit} puts where. */
export interface CheckoutTarget {
  /** A full commit hash. */
  readonly commit: string;
  /** The directory to create; it must not exist. */
  readonly dir: string;
  /** The most bytes the commit's files may add up to. */
  readonly maxBytes: number;
}

/** What was checked out. */
export interface CheckoutResult {
  readonly bytes: number;
  readonly files: number;
  /** The commit message, cut at {@link maxMessageChars}. */
  readonly message: string;
  /**
   * The commit's committer time, RFC 3339 in UTC (see `time.ts`): when it was made on the
   * branch (a rebase or a cherry-pick makes it anew), which its author time is not. Absent
   * only should git write something that is not a time.
   */
  readonly committedAt?: string;
}

/** The most of a commit message kept; trailers sit at its end, so a longer one keeps its tail. */
export const maxMessageChars = 64 * 1024;

/**
 * Fetches `target.commit` of `source` into `target.dir`. Submodules are never fetched: their
 * directories stay empty.
 * @throws SourceError with git's classified reason, or `TooLarge` above `target.maxBytes`.
 */
export async function checkoutCommit(
  source: PreparedSource,
  target: CheckoutTarget,
  deps: SourceDeps,
): Promise<CheckoutResult> {
  const { url } = source;
  const work = `${target.dir}.partial-${randomBytes(6).toString('hex')}`;
  await mkdir(dirname(target.dir), { recursive: true, mode: 0o700 });
  await mkdir(work, { mode: 0o700 });
  try {
    const here = { cwd: work };
    await gitStep(deps.git, url, ['init', '--quiet'], here);
    await gitStep(deps.git, url, ['remote', 'add', 'origin', '--', url.url], here);
    await withAuth(deps.scratchDir, source.credentials, url, (auth) =>
      gitStep(
        deps.git,
        url,
        [
          'fetch',
          '--quiet',
          '--depth=1',
          '--no-tags',
          '--no-recurse-submodules',
          'origin',
          target.commit,
        ],
        { ...here, ...auth },
      ),
    );
    const listing = await gitStep(
      deps.git,
      url,
      ['ls-tree', '-r', '-l', '-z', target.commit],
      here,
    );
    const size = treeSize(listing.stdout);
    if (size.bytes > target.maxBytes) {
      throw new SourceError(
        url.redacted,
        'TooLarge',
        `commit ${target.commit} holds ${size.bytes} bytes in ${size.files} files, over the limit of ${target.maxBytes} bytes`,
      );
    }
    // The committer time on the first line, the message after it: one command for both.
    const shown = await gitStep(
      deps.git,
      url,
      ['show', '--no-patch', '--format=%cI%n%B', target.commit],
      here,
    );
    await gitStep(deps.git, url, ['checkout', '--quiet', '--detach', target.commit], here);
    await rm(join(work, '.git'), { recursive: true, force: true });
    await rename(work, target.dir);
    return { ...size, ...shownOf(shown.stdout) };
  } catch (error) {
    await rm(work, { recursive: true, force: true });
    throw error;
  }
}

/**
 * The committer time and the message from `git show --format=%cI%n%B`, which ends the message
 * with one newline of its own. Git writes `%cI` in strict ISO 8601.
 */
function shownOf(shown: string): Pick<CheckoutResult, 'message' | 'committedAt'> {
  const newline = shown.indexOf('\n');
  const first = newline < 0 ? shown : shown.slice(0, newline);
  const body = newline < 0 ? '' : shown.slice(newline + 1);
  const committedAt = commitTime(first);
  return {
    message: body.replace(/\n$/, '').slice(-maxMessageChars),
    ...(committedAt === undefined ? {} : { committedAt }),
  };
}
