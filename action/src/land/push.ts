/**
 * The `push` commit mode: commit in the working copy and `git push origin HEAD:<branch>`. When
 * the push is rejected because the branch moved, fetch the new head, reset to it, re-apply the
 * edit with `prepare`, and try again after a jittered backoff while the retry budget lasts
 * (`retry.ts`).
 * Never forces: another writer's commit is never lost.
 */
import { StepError } from '@kustodian/shared/errors';
import type { Backoff, Clock } from '../clock.ts';
import type { Git, GitIdentity } from '../git/git.ts';
import { type RetryLimits, startRetries } from './retry.ts';
import type { Lander, LandResult, PrepareEdit } from './types.ts';

/** What the push lander needs. */
export interface PushLanderOptions {
  /** The working copy, already cloned at `branch`. */
  readonly git: Git;
  readonly branch: string;
  readonly author: GitIdentity;
  readonly retry: RetryLimits;
  readonly clock: Clock;
  readonly backoff?: Backoff;
  /** Progress lines (`push rejected, retrying in 420 ms`). */
  readonly log?: (line: string) => void;
}

/** Creates the `push` lander. */
export function createPushLander(options: PushLanderOptions): Lander {
  const { git, branch, clock } = options;
  const log = options.log ?? (() => {});
  return {
    land: async ({ message, prepare }) => {
      const retries = startRetries(options.retry, clock, options.backoff);
      for (let attempt = 1; ; attempt++) {
        const started = clock.now();
        const result = await attemptOnce(options, message, prepare, attempt);
        if (result !== 'rejected') return result;
        const next = retries.next(attempt);
        if ('giveUp' in next) {
          throw new StepError('push', branch, `the branch kept moving; ${next.giveUp}`);
        }
        const took = Math.round(clock.now() - started);
        log(
          `push to ${branch} was rejected because the branch moved (attempt ${attempt} took ${took} ms); retrying in ${next.waitMs} ms`,
        );
        await clock.sleep(next.waitMs);
        const fetching = clock.now();
        const head = await git.resetToRemote(branch);
        log(
          `fetched ${branch} at ${head.slice(0, 12)} in ${Math.round(clock.now() - fetching)} ms`,
        );
      }
    },
  };
}

/** One attempt on the current head: prepare, commit, push. */
async function attemptOnce(
  options: PushLanderOptions,
  message: string,
  prepare: PrepareEdit,
  attempt: number,
): Promise<LandResult | 'rejected'> {
  const { git, branch } = options;
  const head = await git.head();
  const changes = await prepare({ dir: git.dir, head });
  if (changes.length === 0) return { outcome: 'unchanged', attempts: attempt, changedPaths: [] };
  const paths = [...new Set(changes.map((change) => change.path))].sort();
  const commitSha = await git.commit(paths, message, options.author);
  if ((await git.push(branch)) === 'rejected') return 'rejected';
  return { outcome: 'committed', commitSha, attempts: attempt, changedPaths: paths };
}
