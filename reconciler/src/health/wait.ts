/**
 * Waiting for a set of objects to become healthy: poll them all, assess each, and stop when all
 * are Current, any is Failed (fail fast), the timeout passes, or the signal aborts (a new
 * revision arrived). Polling goes through the given `Kube`, so an impersonating client waits
 * with the Application's own rights.
 */
import { messageOf } from '@kustodian/shared/errors';
import { type Clock, systemClock } from '../kube/clock.ts';
import { mapLimit } from '../kube/each.ts';
import type { Kube } from '../kube/kube.ts';
import { idOf, type KubeRef } from '../kube/object.ts';
import { assess, type HealthSummary, type ObjectHealth, summarize } from './assess.ts';
import { health } from './status.ts';

/** How a wait ended. */
export const waitOutcomes = ['Current', 'Failed', 'TimedOut', 'Aborted'] as const;
export type WaitOutcome = (typeof waitOutcomes)[number];

/** Options of {@link waitFor}. */
export interface WaitOptions {
  kube: Pick<Kube, 'get'>;
  timeoutMs: number;
  /** Time between polls; default 2 s. */
  intervalMs?: number;
  /** Aborting ends the wait with `Aborted` (a new revision cancels a wait). */
  signal?: AbortSignal;
  clock?: Clock;
  /** Objects read at once; default 8. */
  concurrency?: number;
  /** Called after every poll with each object's health, in the order of `refs`. */
  onPoll?: (results: readonly ObjectHealth[]) => void;
}

/** The end of a wait, with the last health seen of each object. */
export interface WaitResult {
  outcome: WaitOutcome;
  results: readonly ObjectHealth[];
  summary: HealthSummary;
  elapsedMs: number;
}

/** Polls `refs` until all are Current, any Failed, the timeout, or an abort. */
export async function waitFor(refs: readonly KubeRef[], options: WaitOptions): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? 2000;
  const started = clock.now();
  let results: ObjectHealth[] = refs.map((ref) => ({
    id: idOf(ref),
    ...health('Unknown', 'NotPolled', 'Not read yet'),
  }));
  const end = (outcome: WaitOutcome): WaitResult => ({
    outcome,
    results,
    summary: summarize(results),
    elapsedMs: clock.now() - started,
  });
  for (;;) {
    if (options.signal?.aborted) return end('Aborted');
    try {
      results = await poll(refs, options, clock);
    } catch (error) {
      if (options.signal?.aborted) return end('Aborted');
      throw error;
    }
    options.onPoll?.(results);
    if (results.every((result) => result.status === 'Current')) return end('Current');
    if (results.some((result) => result.status === 'Failed')) return end('Failed');
    const remaining = started + options.timeoutMs - clock.now();
    if (remaining <= 0) return end('TimedOut');
    try {
      await clock.sleep(Math.min(interval, remaining), options.signal);
    } catch (error) {
      if (options.signal?.aborted) return end('Aborted');
      throw error;
    }
  }
}

/** Reads and assesses every object once; a failed read is Unknown, not a thrown error. */
async function poll(
  refs: readonly KubeRef[],
  options: WaitOptions,
  clock: Clock,
): Promise<ObjectHealth[]> {
  return await mapLimit(refs, options.concurrency ?? 8, async (ref) => {
    const id = idOf(ref);
    try {
      const live = await options.kube.get(ref, options.signal ? { signal: options.signal } : {});
      return { id, ...assess(live, { now: clock.now() }) };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { id, ...health('Unknown', 'ReadFailed', messageOf(error)) };
    }
  });
}
