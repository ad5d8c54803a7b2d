/**
 * Exponential backoff with jitter for failed reconciles: 2 s, 4 s, 8 s, ... capped (by the
 * Application's `retryInterval`), each delay scaled by a random factor in [0.5, 1.5) so that many
 * Applications failing together (a git server outage) do not retry in lockstep.
 */

/** Backoff settings. */
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/** The default: start at 2 s, never more than 5 minutes. */
export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 };

/**
 * The delay before retry number `failures` (1 for the first failure). `random` returns a number
 * in [0, 1), like `Math.random`; injectable for tests.
 */
export function backoffDelay(
  failures: number,
  capMs: number,
  policy: BackoffPolicy = defaultBackoff,
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(failures, 1) - 1, 30);
  const raw = Math.min(policy.baseMs * 2 ** exponent, policy.maxMs, capMs);
  return Math.round(raw * (0.5 + random()));
}
