/**
 * `commit: pull-request`: the edit becomes one signed commit on top of the base branch's head,
 * on a branch the action owns, and one pull request from that branch is opened or, when it is
 * already open, updated in place (title and body). Running again with the same images updates
 * the same pull request; nothing is pushed with git and nothing is ever forced in git. When the
 * open pull request's branch already is the change on top of the base head, the run changes
 * nothing (`unchanged`, with the pull request's URL).
 *
 * How the branch gets the commit, and why that way:
 * 1. A scratch branch is created at the base head (`POST git/refs`), the commit is made on it
 *    with `createCommitOnBranch` (so GitHub signs it), and the scratch branch is deleted.
 * 2. The pull request branch is moved to that commit with `force: true` (or created there).
 *
 * The force is needed because the new commit's parent is the base head, not the branch's old
 * commit; it is acceptable only because the branch belongs to the action: the base and the
 * default branch are refused by name, and an existing branch is moved only when all it holds
 * beyond the base is the action's own commit (see `branch-ownership.ts`).
 * The commit is not made on the pull request branch itself after resetting it to the base head:
 * for that moment the branch would have nothing to merge, and GitHub closes an open pull request
 * whose head has no commits the base lacks.
 */
import { randomBytes } from 'node:crypto';
import { messageOf, StepError } from '@kustodian/shared/errors';
import type { Checkout, FileChange, Lander, LandResult } from '../land/types.ts';
import type { GitHubClient, PullRequest, PullRequestText } from './api.ts';
import { uniqueChanges } from './api-lander.ts';
import { type BranchState, holdsExactly, moveRefusal, readBranch } from './branch-ownership.ts';
import type { CheckoutRefresher } from './checkout.ts';
import { splitCommitMessage } from './commit-message.ts';

/** What the pull-request lander needs. */
export interface PullRequestLanderOptions {
  readonly client: GitHubClient;
  /** The branch the pull request goes into; `checkout` has it checked out. */
  readonly base: string;
  /** The action's own branch the pull request comes from (`pullRequestBranch` or `pr-branch`). */
  readonly branch: string;
  readonly checkout: CheckoutRefresher;
  /** The pull request's title; the message's first line when absent. */
  readonly title?: string;
  readonly log?: (line: string) => void;
}

/** Creates the `pull-request` lander. */
export function createPullRequestLander(options: PullRequestLanderOptions): Lander {
  return {
    land: async ({ message, prepare }) => {
      await refuseSharedBranch(options);
      const existing = await readBranch(options.client, options.branch, options.base);
      if (existing !== undefined) refuseForeignBranch(options, existing);
      const checkout = await options.checkout.current();
      const changes = uniqueChanges(await prepare(checkout));
      if (changes.length === 0) return { outcome: 'unchanged', attempts: 1, changedPaths: [] };
      if (existing !== undefined && holdsExactly(existing, checkout.head, changes)) {
        const open = await options.client.findOpenPullRequest(options.branch, options.base);
        if (open) {
          options.log?.(
            `${options.branch} already holds this change; ${open.url} is left as it is`,
          );
          return { outcome: 'unchanged', pullRequestUrl: open.url, attempts: 1, changedPaths: [] };
        }
      }
      const commitSha = await commitOnScratch(options, checkout, message, changes);
      await pointBranch(options, commitSha, existing);
      const { headline, body = '' } = splitCommitMessage(message);
      const text = { title: options.title ?? headline, body };
      const { pullRequest, opened } = await openOrUpdate(options, text);
      const result: LandResult = {
        outcome: opened ? 'pull-request-opened' : 'pull-request-updated',
        commitSha,
        pullRequestUrl: pullRequest.url,
        attempts: 1,
        changedPaths: changes.map((change) => change.path),
      };
      return result;
    },
  };
}

/** The branch is force-moved, so it must not be one that people share. */
async function refuseSharedBranch(options: PullRequestLanderOptions): Promise<void> {
  const { branch, base, client } = options;
  let shared: string | undefined;
  if (branch === base) shared = 'the base branch';
  else if (branch === (await client.defaultBranch())) shared = 'the default branch';
  if (shared === undefined) return;
  throw new StepError(
    'pull request',
    `${client.repository.owner}/${client.repository.repo}@${branch}`,
    `pr-branch must be a branch of its own, not ${shared}: the action moves it to each new commit`,
  );
}

/** Throws unless the action may move the existing branch (see `moveRefusal`). */
function refuseForeignBranch(options: PullRequestLanderOptions, state: BranchState): void {
  const why = moveRefusal(state, options.base);
  if (why === undefined) return;
  const { client, branch } = options;
  throw new StepError(
    'pull request',
    `${client.repository.owner}/${client.repository.repo}@${branch}`,
    `refusing to move ${branch}: ${why}; merge or close its pull request and delete the branch, or set another pr-branch`,
  );
}

/** Makes the signed commit on a throwaway branch at the base head; returns the commit. */
async function commitOnScratch(
  options: PullRequestLanderOptions,
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
 * Creates the pull request branch at `sha`, or moves it there when it exists (`existing`, already
 * checked to be the action's). A branch that appears in between is checked before it is moved.
 */
async function pointBranch(
  options: PullRequestLanderOptions,
  sha: string,
  existing: BranchState | undefined,
): Promise<void> {
  const { client, branch } = options;
  if (existing === undefined) {
    if ((await client.createBranch(branch, sha)) === 'created') return;
    // Created since it was read (by a concurrent run, or by someone else): check it first.
    const raced = await readBranch(client, branch, options.base);
    if (raced !== undefined) refuseForeignBranch(options, raced);
  }
  if ((await client.moveBranch(branch, sha, true)) === 'moved') return;
  // Deleted since it was read: create it after all.
  if ((await client.createBranch(branch, sha)) === 'created') return;
  throw new StepError(
    'pull request',
    `${client.repository.owner}/${client.repository.repo}@${branch}`,
    'the branch was deleted and created again while this run moved it; nothing was moved, run again',
  );
}

/** Updates the open pull request from the branch, or opens one. */
async function openOrUpdate(
  options: PullRequestLanderOptions,
  text: PullRequestText,
): Promise<{ pullRequest: PullRequest; opened: boolean }> {
  const { client, branch, base } = options;
  const existing = await client.findOpenPullRequest(branch, base);
  if (existing) {
    return { pullRequest: await client.updatePullRequest(existing.number, text), opened: false };
  }
  const created = await client.createPullRequest({ ...text, head: branch, base });
  if (created !== 'exists') return { pullRequest: created, opened: true };
  // Opened by a concurrent run since we looked.
  const raced = await client.findOpenPullRequest(branch, base);
  if (!raced) {
    throw new StepError(
      'pull request',
      `${client.repository.owner}/${client.repository.repo}@${branch}`,
      'GitHub says a pull request from this branch exists but does not list it',
    );
  }
  return { pullRequest: await client.updatePullRequest(raced.number, text), opened: false };
}
