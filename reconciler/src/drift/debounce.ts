/**
 * Collecting drift reports and handing them over in batches: a burst of events (a `kubectl
 * apply` of ten objects, a rollout touching one object many times) becomes one call once things
 * have been quiet for a while, or after at most five quiet periods while events keep coming.
 */
import { asError } from '@kustodian/shared/errors';
import { compareText } from '@kustodian/shared/manifests/object-id';
import type { Clock } from '../kube/clock.ts';
import { type Drift, describeDrift } from './drifted.ts';

/** One drifted object, as reported to the controller. */
export interface DriftReport {
  id: string;
  drift: Drift;
  /** `changed by kubectl-edit (Update): data.mode`, or `deleted ...`. */
  message: string;
}

/** Collects reports; the latest report of an object replaces earlier ones. */
export interface Debouncer {
  add(id: string, drift: Drift): void;
}

/** Creates a {@link Debouncer} that calls `flush` with reports sorted by id. */
export function createDebouncer(
  flush: (reports: DriftReport[]) => void,
  quietMs: number,
  clock: Clock,
  signal: AbortSignal,
  onError?: (error: Error) => void,
): Debouncer {
  const pending = new Map<string, DriftReport>();
  const maxWaitMs = quietMs * 5;
  let firstAt = 0;
  let lastAt = 0;
  let running = false;

  const drain = async (): Promise<void> => {
    try {
      for (;;) {
        const now = clock.now();
        const quiet = now - lastAt;
        const waited = now - firstAt;
        if (quiet >= quietMs || waited >= maxWaitMs) break;
        await clock.sleep(Math.min(quietMs - quiet, maxWaitMs - waited), signal);
      }
    } catch {
      // Stopped: pending reports are dropped with the watcher.
      running = false;
      return;
    }
    running = false;
    const reports = [...pending.values()].sort((a, b) => compareText(a.id, b.id));
    pending.clear();
    try {
      flush(reports);
    } catch (error) {
      onError?.(asError(error));
    }
  };

  return {
    add: (id, drift) => {
      if (signal.aborted) return;
      pending.set(id, { id, drift, message: describeDrift(drift) });
      lastAt = clock.now();
      if (running) return;
      running = true;
      firstAt = lastAt;
      void drain();
    },
  };
}
