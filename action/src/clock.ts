/**
 * Time as a boundary: the pipeline and the landers wait and take timestamps through a `Clock`,
 * so tests can run retries without real waiting and measure durations deterministically.
 */

/** Waiting, reading the time, and the randomness that jitters retries. */
export interface Clock {
  /** Milliseconds since an arbitrary origin; only differences are meaningful. */
  now(): number;
  sleep(ms: number): Promise<void>;
  /** A number in [0, 1), for jitter. */
  random(): number;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: () => Math.random(),
};

/** How retries back off: exponential from `baseMs`, capped at `capMs`, with full jitter. */
export interface Backoff {
  readonly baseMs: number;
  readonly capMs: number;
}

/**
 * The backoff of the landers: 250 ms doubling up to 2 s. A lost race on a branch means another
 * run landed (progress, not an overloaded server), so the waits stay near one attempt's length;
 * longer ones leave a burst of runs waiting on a branch nobody is writing to.
 */
export const defaultBackoff: Backoff = { baseMs: 250, capMs: 2_000 };

/**
 * The wait before retry number `attempt` (1 for the first retry): a uniformly random time
 * between 0 and `min(cap, base * 2^(attempt-1))` ("full jitter"), so racing writers spread out
 * instead of colliding again in lockstep.
 */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}
