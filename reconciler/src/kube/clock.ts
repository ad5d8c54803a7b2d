/**
 * Time as a boundary: everything that waits (the request limiter, health waits, drift debounce)
 * takes a {@link Clock}, so tests can drive it without real delays.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** The current time and a way to wait. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason when `signal` aborts
   * first.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    await delay(Math.max(0, ms), undefined, signal ? { signal } : {});
  },
};

/**
 * A clock that only moves when told to: `sleep` resolves once `advance` has moved time past its
 * deadline. For tests of code that waits.
 */
export interface ManualClock extends Clock {
  /** Moves time forward, waking every sleeper whose deadline has passed. */
  advance(ms: number): void;
  /** How many sleeps are waiting. */
  pending(): number;
}

/** Creates a {@link ManualClock} starting at `start` milliseconds. */
export function manualClock(start = 0): ManualClock {
  let now = start;
  const sleepers = new Set<{ until: number; wake: () => void }>();
  return {
    now: () => now,
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) return reject(signal.reason);
        const sleeper = { until: now + ms, wake: resolve };
        sleepers.add(sleeper);
        signal?.addEventListener('abort', () => {
          sleepers.delete(sleeper);
          reject(signal.reason);
        });
      }),
    advance: (ms) => {
      now += ms;
      for (const sleeper of [...sleepers]) {
        if (sleeper.until <= now) {
          sleepers.delete(sleeper);
          sleeper.wake();
        }
      }
    },
    pending: () => sleepers.size,
  };
}
