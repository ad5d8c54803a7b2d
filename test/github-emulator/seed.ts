/**
 * Writing to the emulator's repositories directly, as a `git push` would (unsigned, no API
 * call): the first commit of a new repository, and commits that move a branch behind a client's
 * back.
 */
import type { RepositoryStore, Signature } from './repositories.ts';
import type { EmulatorState } from './state.ts';

/** File contents by path. */
export type Files = Readonly<Record<string, string>>;

/** Who commits directly. */
const someoneElse: Signature = { name: 'Someone Else', email: 'someone@example.com' };

function additionsOf(files: Files): Map<string, Buffer> {
  return new Map(Object.entries(files).map(([path, text]) => [path, Buffer.from(text)]));
}

/** Creates a repository whose `defaultBranch` holds `files` in one commit; returns its sha. */
export async function seedRepository(
  store: RepositoryStore,
  fullName: string,
  files: Files,
  defaultBranch: string,
): Promise<string> {
  await store.init(fullName, defaultBranch);
  const sha = await store.writeCommit(fullName, {
    additions: additionsOf(files),
    deletions: [],
    message: 'Initial commit',
    author: someoneElse,
    committer: someoneElse,
  });
  await store.compareAndSwap(fullName, defaultBranch, sha, undefined);
  return sha;
}

/** Commits `files` on top of `branch` (creating it if needed); returns the new head. */
export async function pushFiles(
  where: { readonly store: RepositoryStore; readonly state: EmulatorState },
  push: { fullName: string; branch: string; files: Files; message: string },
): Promise<string> {
  const { store, state } = where;
  const { fullName, branch, message } = push;
  const commit = {
    additions: additionsOf(push.files),
    deletions: [],
    message,
    author: someoneElse,
    committer: someoneElse,
  };
  for (;;) {
    const parent = await store.head(fullName, branch);
    const sha = await store.writeCommit(fullName, parent ? { ...commit, parent } : commit);
    if (await store.compareAndSwap(fullName, branch, sha, parent)) {
      await state.branchMoved(store, fullName, branch);
      return sha;
    }
  }
}
