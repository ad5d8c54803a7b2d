/**
 * A keyed work queue with delays: every key (an Application) is processed by at most one worker
 * at a time; adding a key that is already waiting keeps the earliest due time; a key added while
 * it is being processed runs again once, right after. At most `concurrency` keys run at once.
 */
import type { Clock } from '../kube/clock.ts';

/** What a worker does with one key; resolves when done. */
export type Handler = (key: string, signal: AbortSignal) => Promise<void>;

/** Options of the queue. */
export interface QueueOptions {
  readonly concurrency: number;
  readonly clock: Clock;
  readonly handle: Handler;
  /** Called whenever the number of waiting keys changes (for the queue depth gauge). */
  readonly onDepth?: (depth: number) => void;
  /** Called with any error a handler throws (handlers should not throw). */
  readonly onError?: (key: string, error: unknown) => void;
}

/** A running queue. */
export interface WorkQueue {
  /** Schedules `key` to run after `delayMs` (default now). */
  add(key: string, delayMs?: number): void;
  /** Forgets a waiting key (an Application that was deleted). */
  remove(key: string): void;
  /** Keys waiting, not counting those running. */
  depth(): number;
  /** Stops taking work and waits for running handlers, whose signals are aborted. */
  stop(): Promise<void>;
}

/** Starts a queue. */
export function startQueue(options: QueueOptions): WorkQueue {
  const due = new Map<string, number>();
  const running = new Map<string, Promise<void>>();
  const again = new Map<string, number>();
  const stopping = new AbortController();
  let wake = new AbortController();

  const report = () => options.onDepth?.(due.size + again.size);
  const notify = () => wake.abort();

  const runOne = (key: string) => {
    due.delete(key);
    const work = options
      .handle(key, stopping.signal)
      .catch((error: unknown) => options.onError?.(key, error))
      .finally(() => {
        running.delete(key);
        const next = again.get(key);
        if (next !== undefined) {
          again.delete(key);
          schedule(key, next);
        }
        report();
        notify();
      });
    running.set(key, work);
  };

  const schedule = (key: string, at: number) => {
    if (running.has(key)) {
      const pending = again.get(key);
      again.set(key, pending === undefined ? at : Math.min(pending, at));
    } else {
      const current = due.get(key);
      due.set(key, current === undefined ? at : Math.min(current, at));
    }
    report();
    notify();
  };

  const loop = async () => {
    while (!stopping.signal.aborted) {
      const now = options.clock.now();
      let nextAt = Number.POSITIVE_INFINITY;
      for (const [key, at] of [...due].sort((a, b) => a[1] - b[1])) {
        if (running.size >= options.concurrency) break;
        if (at <= now) runOne(key);
        else nextAt = Math.min(nextAt, at);
      }
      report();
      wake = new AbortController();
      const waitMs = Number.isFinite(nextAt) ? nextAt - now : 60_000;
      await options.clock
        .sleep(Math.max(waitMs, 0), AbortSignal.any([wake.signal, stopping.signal]))
        .catch(() => undefined);
    }
  };
  const looping = loop();

  return {
    add: (key, delayMs = 0) => schedule(key, options.clock.now() + delayMs),
    remove: (key) => {
      due.delete(key);
      again.delete(key);
      report();
    },
    depth: () => due.size + again.size,
    stop: async () => {
      stopping.abort(new Error('the work queue is stopping'));
      await looping;
      await Promise.all(running.values());
    },
  };
}
