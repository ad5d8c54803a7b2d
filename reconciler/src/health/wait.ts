/**
 * Waiting for a set of objects to become healthy: assess each, and stop when all are Current,
 * any is Failed (fail fast), the timeout passes, or the signal aborts (a new revision arrived).
 *
 * With a feed of changes (`changes`, the reconciler's shared kind watches) the wait is driven by
 * events: it follows the objects, reads those not yet Current once (a change made before the
 * following began may not be told), and from then on assesses each object as a watch event
 * brings it, so a rollout's end is seen as it happens. A poll every `intervalMs` remains, for
 * verdicts that depend on the time and in case a watch missed events. Without a feed it polls:
 * soon at first, then less and less often. Reads go through the given `Kube`, so an
 * impersonating client waits with the Application's own rights.
 *
 * The first poll can start from objects just seen (the answers to the writes being waited
 * for); an object found Current is not read again; with a label selector the objects carry,
 * the rest are read a kind and namespace at a time (`readMany`).
 */
import { messageOf } from '@kustodian/shared/errors';
import type { ChangeFeed } from '../kube/changes.ts';
import { type Clock, systemClock } from '../kube/clock.ts';
import { mapLimit } from '../kube/each.ts';
import type { Kube } from '../kube/kube.ts';
import { idOf, type KubeObject, type KubeRef } from '../kube/object.ts';
import { readMany } from '../kube/read-many.ts';
import { assess, type HealthSummary, type ObjectHealth, summarize } from './assess.ts';
import { health } from './status.ts';

/** How a wait ended. */
export const waitOutcomes = ['Current', 'Failed', 'TimedOut', 'Aborted'] as const;
export type WaitOutcome = (typeof waitOutcomes)[number];

/** Options of {@link waitFor}. */
export interface WaitOptions {
  kube: Pick<Kube, 'get'> & Partial<Pick<Kube, 'list'>>;
  /** A label selector every object carries: they are then read with lists (needs `kube.list`). */
  labelSelector?: string;
  timeoutMs: number;
  /** Time between polls (the longest, with `firstIntervalMs`); default 2 s. */
  intervalMs?: number;
  /**
   * Time before the second poll, each later wait twice the one before up to `intervalMs`;
   * default `intervalMs` (a steady interval). Objects just written usually become Current
   * within moments, or take a rollout's time: a short first wait finds the first kind without
   * the whole interval, and the doubling keeps a long wait to a few polls.
   */
  firstIntervalMs?: number;
  /** Aborting ends the wait with `Aborted` (a new revision cancels a wait). */
  signal?: AbortSignal;
  /** Changes to the objects as they happen: the wait follows them instead of polling often. */
  changes?: ChangeFeed;
  clock?: Clock;
  /** Objects read at once; default 8. */
  concurrency?: number;
  /**
   * Objects as just seen (by id), such as the server's answers to the writes being waited for:
   * the first poll assesses these instead of reading them again.
   */
  known?: ReadonlyMap<string, KubeObject>;
  /** Called after every poll with each object's health, in the order of `refs`. */
  onPoll?: (results: readonly ObjectHealth[]) => void;
  /**
   * Objects found Current, by id, with the resourceVersion they were found Current at, kept by
   * the caller from one wait to the next and updated here. An object seen or read at that same
   * resourceVersion is the same stored object, and a Current verdict depends on the object
   * alone (never on the time), so it is not assessed again.
   */
  currentAt?: Map<string, CurrentAt>;
}

/** An object's Current verdict and the resourceVersion it was reached at. */
export interface CurrentAt {
  readonly resourceVersion: string;
  readonly result: ObjectHealth;
}

/** The end of a wait, with the last health seen of each object. */
export interface WaitResult {
  outcome: WaitOutcome;
  results: readonly ObjectHealth[];
  summary: HealthSummary;
  elapsedMs: number;
}

/** Waits until all of `refs` are Current, any Failed, the timeout, or an abort. */
export async function waitFor(refs: readonly KubeRef[], options: WaitOptions): Promise<WaitResult> {
  const clock = options.clock ?? systemClock;
  const interval = options.intervalMs ?? 2000;
  const first = Math.min(options.firstIntervalMs ?? interval, interval);
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
  const feed = options.timeoutMs > 0 && refs.length > 0 ? follow(refs, options) : undefined;
  try {
    if (feed) {
      try {
        await feed.ready(Math.min(interval, options.timeoutMs), clock, options.signal);
      } catch (error) {
        if (options.signal?.aborted) return end('Aborted');
        throw error;
      }
    }
    let poll = true;
    for (let round = 0; ; round++) {
      if (options.signal?.aborted) return end('Aborted');
      try {
        if (poll) {
          // With a feed, an object not Current as just seen is read again: it may have changed
          // before the following began.
          const seen =
            round > 0 ? undefined : feed ? currentOnly(options.known, clock) : options.known;
          results = await pollOnce(refs, results, options, clock, seen);
        } else results = judged(refs, results, feed?.take() ?? new Map(), options, clock);
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
        if (feed)
          poll =
            (await feed.next(Math.min(interval, remaining), clock, options.signal)) !== 'changed';
        else await clock.sleep(Math.min(first * 2 ** round, interval, remaining), options.signal);
      } catch (error) {
        if (options.signal?.aborted) return end('Aborted');
        throw error;
      }
    }
  } finally {
    feed?.stop();
  }
}

/** What a wait hears from a feed: changes kept until taken, and a wake-up when one arrives. */
interface FollowedChanges {
  /** Waits (at most `ms`) until every kind is watched. */
  ready(ms: number, clock: Clock, signal: AbortSignal | undefined): Promise<void>;
  /** Waits (at most `ms`) for a change; `poll` when events were missed or none came in time. */
  next(ms: number, clock: Clock, signal: AbortSignal | undefined): Promise<'changed' | 'poll'>;
  /** The objects changed since the last take, by id (`undefined`: deleted). */
  take(): Map<string, KubeObject | undefined>;
  stop(): void;
}

function follow(refs: readonly KubeRef[], options: WaitOptions): FollowedChanges | undefined {
  if (!options.changes) return undefined;
  let changed = new Map<string, KubeObject | undefined>();
  let missed = false;
  let wake: (() => void) | undefined;
  const following = options.changes.follow(refs, {
    onObject: (id, object) => {
      changed.set(id, object);
      wake?.();
    },
    onMissed: () => {
      missed = true;
      wake?.();
    },
  });
  /** Resolves when `promise` does, or after `ms`; rejects on abort. */
  const within = async (
    promise: Promise<unknown>,
    ms: number,
    clock: Clock,
    signal?: AbortSignal,
  ) => {
    const timer = new AbortController();
    const stop = () => timer.abort();
    signal?.addEventListener('abort', stop, { once: true });
    try {
      await Promise.race([promise, clock.sleep(ms, timer.signal).catch(() => undefined)]);
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', stop);
    }
    signal?.throwIfAborted();
  };
  return {
    ready: (ms, clock, signal) => within(following.ready, ms, clock, signal),
    next: async (ms, clock, signal) => {
      if (changed.size === 0 && !missed) {
        const arrived = new Promise<void>((resolve) => {
          wake = resolve;
        });
        await within(arrived, ms, clock, signal);
        wake = undefined;
      }
      if (missed) {
        missed = false;
        changed = new Map();
        return 'poll';
      }
      return changed.size > 0 ? 'changed' : 'poll';
    },
    take: () => {
      const taken = changed;
      changed = new Map();
      return taken;
    },
    stop: () => following.stop(),
  };
}

/** The objects of `known` that are Current as they are. */
function currentOnly(
  known: ReadonlyMap<string, KubeObject> | undefined,
  clock: Clock,
): Map<string, KubeObject> | undefined {
  if (!known) return undefined;
  const now = clock.now();
  return new Map([...known].filter(([, object]) => assess(object, { now }).status === 'Current'));
}

/** `previous` with each object of `changed` that was not Current yet judged as it now is. */
function judged(
  refs: readonly KubeRef[],
  previous: readonly ObjectHealth[],
  changed: ReadonlyMap<string, KubeObject | undefined>,
  options: WaitOptions,
  clock: Clock,
): ObjectHealth[] {
  const judge = judgeOf(options, clock);
  return refs.map((ref, index) => {
    const before = previous[index] as ObjectHealth;
    const id = idOf(ref);
    if (before.status === 'Current' || !changed.has(id)) return before;
    return judge(id, changed.get(id));
  });
}

/** Assesses one object, reusing a Current verdict reached at the same resourceVersion. */
function judgeOf(options: WaitOptions, clock: Clock) {
  return (id: string, live: KubeObject | undefined): ObjectHealth => {
    const version = live?.metadata.resourceVersion;
    const known = options.currentAt?.get(id);
    if (known && known.resourceVersion === version) return known.result;
    const result = { id, ...assess(live, { now: clock.now() }) };
    if (result.status === 'Current' && typeof version === 'string')
      options.currentAt?.set(id, { resourceVersion: version, result });
    else options.currentAt?.delete(id);
    return result;
  };
}

/**
 * Assesses every object that is not Current yet, from `seen` or read now; a failed read is
 * Unknown, not a thrown error.
 */
async function pollOnce(
  refs: readonly KubeRef[],
  previous: readonly ObjectHealth[],
  options: WaitOptions,
  clock: Clock,
  seen: ReadonlyMap<string, KubeObject> | undefined,
): Promise<ObjectHealth[]> {
  const pending = refs.filter(
    (ref, index) => previous[index]?.status !== 'Current' && !seen?.has(idOf(ref)),
  );
  const { kube, labelSelector } = options;
  const read =
    labelSelector && kube.list && pending.length > 0
      ? await readMany(pending, {
          kube: kube as Pick<Kube, 'get' | 'list'>,
          labelSelector,
          concurrency: options.concurrency ?? 8,
          ...(options.signal ? { signal: options.signal } : {}),
        })
      : undefined;
  const judge = judgeOf(options, clock);
  return await mapLimit(refs, options.concurrency ?? 8, async (ref, index) => {
    const id = idOf(ref);
    const before = previous[index];
    if (before?.status === 'Current') return before;
    const fromSeen = seen?.get(id);
    if (fromSeen) return judge(id, fromSeen);
    const fromRead = read?.get(id);
    if (fromRead) return judge(id, fromRead.live);
    try {
      const live = await options.kube.get(ref, options.signal ? { signal: options.signal } : {});
      return judge(id, live);
    } catch (error) {
      if (options.signal?.aborted) throw error;
      return { id, ...health('Unknown', 'ReadFailed', messageOf(error)) };
    }
  });
}
