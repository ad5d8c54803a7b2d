/**
 * How the `pull-request` lander's branch gets a new change, through the GitHub API only and only
 * ever by a fast-forward (see `pull-request-lander.ts` for the whole procedure and why).
 */
import { randomBytes } from 'node:crypto';
import { messageOf, StepError } from '@kustodian/shared/errors';
import type { Checkout, FileChange } from '../land/types.ts';
import type { GitHubClient } from './api.ts';
import { type BranchState, nextParents } from './branch-ownership.ts';

/** The lander's settings this part uses. */
export interface BranchUpdateOptions {
  readonly client: GitHubClient;
  /** The pull request branch. */
  readonly branch: string;
  readonly log?: (line: string) => void;
}

/** What the branch is to get. */
export interface BranchUpdate {
  /** The base head the change was made on. */
  readonly baseHead: string;
  /** The signed commit of the change on `baseHead` (from {@link commitOnScratch}). */
  readonly commit: string;
  /** The commit message, for a merge commit. */
  readonly message: string;
  /** The branch as read before the change was made (already checked to be the action's). */
  readonly existing: BranchState | undefined;
}

/**
 * Makes the signed commit of `changes` on `checkout.head` (its only parent) on a throwaway
 * branch, which is deleted again; returns the commit. No branch anyone reads ever holds it.
 */
export async function commitOnScratch(
  options: BranchUpdateOptions,
  checkout: Checkout,
  message: string,
  changes: readonly FileChange[],
): Promise<string> {
  const { client } = options;
  const scratch = `${options.branch}-next-${randomBytes(4).toString('hex')}`;
  await client.createBranch(scratch, checkout.head);
  try {
    const result = await client.createCommitOnBranch({
      branch: scratch,
      expectedHeadOid: checkout.head,
      message,
      changes,
    });
    if (result.kind === 'stale') {
      throw new StepError(
        'commit',
        `${client.repository.owner}/${client.repository.repo}@${scratch}`,
        `the scratch branch was moved by someone else: ${result.message}`,
      );
    }
    return result.oid;
  } finally {
    await client.deleteBranch(scratch).catch((thrown: unknown) => {
      options.log?.(`could not delete the scratch branch ${scratch}: ${messageOf(thrown)}`);
    });
  }
}

/**
 * Gives the branch the change by a fast-forward, and returns its new head; `raced` when another
 * writer created or moved the branch since it was read (nothing was changed then). A missing
 * branch is created at the change's commit; an existing one is moved (`force: false`) to a commit
 * with the change's tree and the parents `nextParents` gives: the change's commit itself when
 * that is just the base head, otherwise a new commit with the branch head among its parents.
 */
export async function updateBranch(
  options: BranchUpdateOptions,
  update: BranchUpdate,
): Promise<string | 'raced'> {
  const { client, branch } = options;
  const { existing, commit, baseHead } = update;
  if (existing === undefined) return create(client, branch, commit);
  const parents = nextParents(existing, baseHead);
  const onBase = parents.length === 1 && parents[0] === baseHead;
  const head = onBase ? commit : await commitWith(client, update, parents);
  const moved = await client.moveBranch(branch, head);
  if (moved === 'moved') return head;
  if (moved === 'not-fast-forward') return 'raced';
  // Deleted since it was read: create it anew at the plain commit.
  return create(client, branch, commit);
}

async function create(
  client: GitHubClient,
  branch: string,
  sha: string,
): Promise<string | 'raced'> {
  return (await client.createBranch(branch, sha)) === 'created' ? sha : 'raced';
}

/** A commit with the change's tree and message, and `parents`. */
async function commitWith(
  client: GitHubClient,
  update: BranchUpdate,
  parents: readonly string[],
): Promise<string> {
  const { tree } = await client.commit(update.commit);
  return client.createCommit({ message: update.message, tree, parents });
}
