/**
 * `commit: pull-request`: the edit lands on a branch the action owns, from which one pull request
 * is opened or, when it is already open, updated in place (title and body). Running again with
 * the same images updates the same pull request. Nothing is pushed with git, and the branch is
 * only ever moved by a fast-forward: nothing is forced, so no commit on it is ever lost. When the
 * open pull request's branch already is the change on top of the base head, the run changes
 * nothing (`unchanged`, with the pull request's URL).
 *
 * Each attempt, on the base head `B` the checkout holds:
 * 1. The branch is read and compared with `B`; it must be the action's own (see
 *    `branch-ownership.ts`). When it already is exactly the change on top of `B`, stop.
 * 2. The edit is prepared and made as one signed commit `C` (parent `B`, tree `B` plus the bump)
 *    on a scratch branch at `B` with `createCommitOnBranch`; the scratch branch is deleted.
 * 3. The branch gets the change (`branch-update.ts`): a missing branch is created at `C`; a branch
 *    whose head is already in `B` is fast-forwarded to `C`; otherwise a commit `M` with `C`'s
 *    tree is made (`POST git/commits`) with the parents `[branch head, B]` (a merge commit; just
 *    `[branch head]` when `B` is already in the branch) and the branch is fast-forwarded to it
 *    (`PATCH git/refs`, `force: false`). `M` descends from the old head, and its merge base with
 *    the base branch is `B`, so the pull request's diff is exactly the bump.
 * 4. When another writer moved the branch in between (GitHub answers 422 `Update is not a fast
 *    forward`, or the branch appeared), the checkout is moved to the base's new head and the
 *    attempt is made again from step 1 after a jittered backoff, while the retry budget lasts (`../land/retry.ts`).
 *
 * The commit is not made on the pull request branch itself: `createCommitOnBranch` can only add a
 * commit on top of a branch's head, and the bump must be made on the base head for the pull
 * request to show just the bump.
 */
import { StepError } from '@kustodian/shared/errors';
import type { Backoff } from '../clock.ts';
import { type Retries, type RetryClock, type RetryLimits, startRetries } from '../land/retry.ts';
import type { Checkout, Lander, LandResult, PrepareEdit } from '../land/types.ts';
import type { GitHubClient, PullRequest, PullRequestText } from './api.ts';
import { uniqueChanges } from './api-lander.ts';
import { type BranchState, holdsExactly, moveRefusal, readBranch } from './branch-ownership.ts';
import { commitOnScratch, updateBranch } from './branch-update.ts';
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
  /** How long, and at most how many times, to try (`retry-timeout`, `max-attempts`). */
  readonly retry: RetryLimits;
  readonly clock: RetryClock;
  readonly backoff?: Backoff;
  /** The pull request's title; the message's first line when absent. */
  readonly title?: string;
  readonly log?: (line: string) => void;
}

/** Creates the `pull-request` lander. */
export function createPullRequestLander(options: PullRequestLanderOptions): Lander {
  return {
    land: async ({ message, prepare }) => {
      await refuseSharedBranch(options);
      const retries = startRetries(options.retry, options.clock, options.backoff);
      let checkout = await options.checkout.current();
      for (let attempt = 1; ; attempt++) {
        const result = await attemptOnce(options, message, prepare, checkout, attempt);
        if (result !== 'raced') return result;
        await waitBeforeRetry(options, retries, attempt);
        checkout = await options.checkout.refresh();
      }
    },
  };
}

/** One attempt on the base head `checkout` holds; `raced` when another writer moved the branch. */
async function attemptOnce(
  options: PullRequestLanderOptions,
  message: string,
  prepare: PrepareEdit,
  checkout: Checkout,
  attempt: number,
): Promise<LandResult | 'raced'> {
  const { client, branch, base } = options;
  const existing = await readBranch(client, branch, checkout.head);
  if (existing !== undefined) refuseForeignBranch(options, existing);
  const changes = uniqueChanges(await prepare(checkout));
  const unchanged = { outcome: 'unchanged', attempts: attempt, changedPaths: [] } as const;
  if (changes.length === 0) return unchanged;
  const changedPaths = changes.map((change) => change.path);
  const text = pullRequestText(options, message);
  if (existing !== undefined && holdsExactly(existing, changes)) {
    const open = await client.findOpenPullRequest(branch, base);
    if (open) {
      options.log?.(`${branch} already holds this change; ${open.url} is left as it is`);
      return { ...unchanged, pullRequestUrl: open.url };
    }
    // The branch is right but its pull request was closed: open one again, committing nothing.
    const { pullRequest, opened } = await openOrUpdate(options, text);
    const outcome = opened ? 'pull-request-opened' : 'pull-request-updated';
    const commitSha = existing.head.sha;
    return { outcome, commitSha, pullRequestUrl: pullRequest.url, attempts: attempt, changedPaths };
  }
  const commit = await commitOnScratch(options, checkout, message, changes);
  const head = await updateBranch(options, { baseHead: checkout.head, commit, message, existing });
  if (head === 'raced') return 'raced';
  const { pullRequest, opened } = await openOrUpdate(options, text);
  return {
    outcome: opened ? 'pull-request-opened' : 'pull-request-updated',
    commitSha: head,
    pullRequestUrl: pullRequest.url,
    attempts: attempt,
    changedPaths,
  };
}

/** The pull request's title (`pr-title`, or the message's first line) and body. */
function pullRequestText(options: PullRequestLanderOptions, message: string): PullRequestText {
  const { headline, body = '' } = splitCommitMessage(message);
  return { title: options.title ?? headline, body };
}

/** The branch gets each new commit, so it must not be one that people share. */
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

/** Throws when no attempt is left, otherwise waits the backoff for retry number `attempt`. */
async function waitBeforeRetry(
  options: PullRequestLanderOptions,
  retries: Retries,
  attempt: number,
): Promise<void> {
  const { client, branch } = options;
  const next = retries.next(attempt);
  if ('giveUp' in next) {
    throw new StepError(
      'pull request',
      `${client.repository.owner}/${client.repository.repo}@${branch}`,
      `the branch kept moving: another writer moved it during each attempt; ${next.giveUp}; nothing was forced`,
    );
  }
  options.log?.(
    `${branch} was moved by another writer (the update was not a fast-forward); reading it again in ${next.waitMs} ms`,
  );
  await options.clock.sleep(next.waitMs);
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
