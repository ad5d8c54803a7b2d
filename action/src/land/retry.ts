/**
 * How long the landers keep trying when the branch keeps moving: a time budget (`retry-timeout`)
 * and, only when the user sets one, a number of attempts (`max-attempts`). Between attempts they
 * wait an exponential backoff with full jitter (see `backoffDelay`), never past the budget.
 *
 * A budget rather than a count, because a count cannot tell a busy branch from a stuck one: with
 * N runs landing on one branch at once, the last one loses up to N-1 races, each costing one
 * cheap attempt; a fixed count either fails it or lets a stuck run spin far too long.
 */
import { formatDuration } from '@kustodian/shared/config/duration';
import { type Backoff, backoffDelay, defaultBackoff } from '../clock.ts';

/** The bounds of retrying, as the inputs give them. */
export interface RetryLimits {
  /** No attempt starts after this many milliseconds since landing began (`retry-timeout`). */
  readonly timeoutMs: number;
  /** Attempts in all, the first included (`max-attempts`); no limit but the time when absent. */
  readonly maxAttempts?: number;
}

/** The default `retry-timeout`: five minutes (see `action.yml` for why). */
export const defaultRetryTimeoutMs = 300_000;

/** What retrying needs of the clock (the action's `Clock` fits). */
export interface RetryClock {
  /** Milliseconds since an arbitrary origin. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1). */
  random(): number;
}

/** One landing's retries, started when landing starts. */
export interface Retries {
  /**
   * Before retry number `attempt` (1 after the first attempt was lost): the wait, or the reason
   * to give up (naming the bound hit and the attempts made) when no retry is left.
   */
  next(attempt: number): { readonly waitMs: number } | { readonly giveUp: string };
}

/** Starts the retries of one landing now. */
export function startRetries(
  limits: RetryLimits,
  clock: RetryClock,
  backoff: Backoff = defaultBackoff,
): Retries {
  const started = clock.now();
  return {
    next: (attempt) => {
      const tries = attempt === 1 ? '1 attempt' : `${attempt} attempts`;
      if (limits.maxAttempts !== undefined && attempt >= limits.maxAttempts) {
        return { giveUp: `gave up after ${tries} (max-attempts ${limits.maxAttempts})` };
      }
      const left = limits.timeoutMs - (clock.now() - started);
      if (left <= 0) {
        return {
          giveUp: `gave up after ${tries} in ${formatDuration(limits.timeoutMs)} (retry-timeout)`,
        };
      }
      return { waitMs: Math.min(Math.floor(left), backoffDelay(attempt, backoff, clock.random)) };
    },
  };
}
