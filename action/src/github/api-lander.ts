/**
 * `commit: api`: the commit is made by GitHub through the GraphQL `createCommitOnBranch`
 * mutation, so GitHub signs it (it shows as Verified) and the runner pushes nothing.
 *
 * `expectedHeadOid` is the head the edit was prepared on, which makes the mutation a
 * compare-and-swap: when another writer moved the branch in between, GitHub answers
 * `STALE_DATA` (inside an HTTP 200) and changes nothing. The lander then moves the checkout to
 * the new head, prepares the edit again there (never replaying the old bytes, which would
 * revert the other writer's change), and retries after a jittered exponential backoff while the
 * retry budget lasts (`../land/retry.ts`). Every other error is final.
 */
import { StepError } from '@kustodian/shared/errors';
import type { Backoff } from '../clock.ts';
import { type Retries, type RetryClock, type RetryLimits, startRetries } from '../land/retry.ts';
import type { FileChange, Lander, LandResult, PrepareEdit } from '../land/types.ts';
import type { GitHubClient } from './api.ts';
import type { CheckoutRefresher } from './checkout.ts';

export type { RetryClock } from '../land/retry.ts';

/** What the api lander needs. */
export interface ApiLanderOptions {
  readonly client: GitHubClient;
  /** The branch to commit to; `checkout` has it checked out. */
  readonly branch: string;
  readonly checkout: CheckoutRefresher;
  /** How long, and at most how many times, to try (`retry-timeout`, `max-attempts`). */
  readonly retry: RetryLimits;
  readonly clock: RetryClock;
  readonly backoff?: Backoff;
  /** Progress lines, such as a retry after `STALE_DATA`. */
  readonly log?: (line: string) => void;
}

/** Creates the `api` lander. */
export function createApiLander(options: ApiLanderOptions): Lander {
  return {
    land: async ({ message, prepare }) => {
      const retries = startRetries(options.retry, options.clock, options.backoff);
      let checkout = await options.checkout.current();
      for (let attempt = 1; ; attempt++) {
        const result = await attemptOnce(options, message, prepare, checkout, attempt);
        if (result !== 'stale') return result;
        await waitBeforeRetry(options, retries, attempt);
        checkout = await options.checkout.refresh();
      }
    },
  };
}

/** One attempt: prepare on `checkout`, then commit expecting its head. */
async function attemptOnce(
  options: ApiLanderOptions,
  message: string,
  prepare: PrepareEdit,
  checkout: { readonly dir: string; readonly head: string },
  attempt: number,
): Promise<LandResult | 'stale'> {
  const changes = uniqueChanges(await prepare(checkout));
  if (changes.length === 0) return { outcome: 'unchanged', attempts: attempt, changedPaths: [] };
  const result = await options.client.createCommitOnBranch({
    branch: options.branch,
    expectedHeadOid: checkout.head,
    message,
    changes,
  });
  if (result.kind === 'stale') return 'stale';
  return {
    outcome: 'committed',
    commitSha: result.oid,
    attempts: attempt,
    changedPaths: changes.map((change) => change.path),
  };
}

/** Throws when no attempt is left, otherwise waits the backoff for retry number `attempt`. */
async function waitBeforeRetry(
  options: ApiLanderOptions,
  retries: Retries,
  attempt: number,
): Promise<void> {
  const { owner, repo } = options.client.repository;
  const next = retries.next(attempt);
  if ('giveUp' in next) {
    throw new StepError(
      'commit',
      `${owner}/${repo}@${options.branch}`,
      `the branch kept moving: GitHub answered STALE_DATA to every attempt; ${next.giveUp}`,
    );
  }
  options.log?.(
    `${options.branch} moved while the commit was prepared (STALE_DATA); preparing again on the new head in ${next.waitMs} ms`,
  );
  await options.clock.sleep(next.waitMs);
}

/** One change per path (the last one wins), sorted by path: GitHub refuses a path twice. */
export function uniqueChanges(changes: readonly FileChange[]): FileChange[] {
  const byPath = new Map(changes.map((change) => [change.path, change]));
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
