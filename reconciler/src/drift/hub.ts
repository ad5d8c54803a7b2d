/**
 * Drift watching for every Application over one watch per kind.
 *
 * Each kind is watched once (managed objects, every namespace) while any Application has objects
 * of it, and every event goes to the Application its owner annotation names. A watch per
 * Application and kind would open hundreds of connections, and listing every managed object of
 * a kind costs memory in proportion to the whole cluster; here each Application reads only its
 * own objects (`readMany`: a list per kind and namespace), once when it starts watching, as the
 * baseline its judgement starts from (which objects are missing, and the fields `kustodian` held
 * at first sight).
 *
 * A kind's watch (`kind-watch.ts`) resumes where it left off when the server ends it; only when
 * it has to start afresh (410 Gone) can events have been missed: then every Application
 * watching the kind reads its objects again and reports what changed.
 *
 * Each Application's watch also keeps its objects as last seen (`DriftWatch.seen`), which an
 * apply uses instead of reading objects it left unchanged (`apply/applied.ts`); while a kind is
 * being read again after missed events, it answers nothing for that kind.
 *
 * The hub is also a feed of changes (`kube/changes.ts`): a health wait follows the objects it
 * waits for through the same kind watches (starting one only for a kind no Application watches
 * yet), so it hears of a rollout's progress as it happens instead of polling for it.
 */

import { managedBySelector, ownerOf, ownerValue } from '@kustodian/shared/apply/ownership';
import { asError } from '@kustodian/shared/errors';
import { refOfEntry } from '../inventory/inventory.ts';
import type { ChangeFeed, ChangeListener } from '../kube/changes.ts';
import { type Clock, systemClock } from '../kube/clock.ts';
import type { Kube } from '../kube/kube.ts';
import { idOf, type KubeRef } from '../kube/object.ts';
import { readMany } from '../kube/read-many.ts';
import { createDebouncer } from './debounce.ts';
import { type KindTarget, watchManagedKind } from './kind-watch.ts';
import { type DriftWatch, type DriftWatchOptions, judgement } from './watcher.ts';

/** What the hub needs. */
export interface DriftHubOptions {
  kube: Pick<Kube, 'get' | 'list' | 'watch'>;
  clock?: Clock;
  /** Wait after a failed watch or read before trying again; default 5 s. */
  retryMs?: number;
}

/** What one Application watches through the hub: {@link DriftWatchOptions} without the client. */
export type HubWatchOptions = Omit<DriftWatchOptions, 'kube' | 'clock' | 'retryMs'>;

/** Shared kind watches. */
export interface DriftHub extends ChangeFeed {
  /** Starts watching an inventory for its owner; `stop()` the result when it changes. */
  watch(options: HubWatchOptions): DriftWatch;
  /** Stops every watch. */
  stop(): Promise<void>;
}

/** One Application's watch: its judgement and, per kind, its objects. */
interface Subscriber {
  readonly owner: string;
  readonly judge: ReturnType<typeof judgement>;
  readonly kinds: Map<string, { refs: KubeRef[]; ids: string[] }>;
  /** The kind of each object id. */
  readonly kindOf: Map<string, string>;
  /** Kinds read since their watch last missed events: what `seen` may answer from. */
  readonly complete: Set<string>;
  readonly onError?: (error: Error) => void;
  readonly stopped: AbortController;
}

/** One follower of changes (`ChangeFeed.follow`): the ids it follows of one kind. */
interface Follower {
  readonly ids: ReadonlySet<string>;
  readonly listener: ChangeListener;
}

/** One kind's shared watch. */
interface KindWatch {
  readonly subscribers: Set<Subscriber>;
  readonly followers: Set<Follower>;
  readonly controller: AbortController;
  readonly done: Promise<void>;
  /** Resolves once the watch has a resourceVersion to start from. */
  readonly started: Promise<void>;
}

/** Starts a hub with no watches. */
export function startDriftHub(options: DriftHubOptions): DriftHub {
  const clock = options.clock ?? systemClock;
  const retryMs = options.retryMs ?? 5000;
  const kinds = new Map<string, KindWatch>();

  /** Reads a subscriber's objects of one kind and judges them (reporting when not `first`). */
  const read = async (sub: Subscriber, key: string, first: boolean): Promise<void> => {
    const kind = sub.kinds.get(key);
    while (kind && !sub.stopped.signal.aborted) {
      try {
        const known = await readMany(kind.refs, {
          kube: options.kube,
          labelSelector: managedBySelector,
          concurrency: 4,
          signal: sub.stopped.signal,
        });
        const present = new Set([...known].filter(([, k]) => k.live).map(([id]) => id));
        const own = [...known.values()].flatMap((k) =>
          k.live && ownerOf(k.live) === sub.owner ? [k.live] : [],
        );
        if (known.size < kind.refs.length) throw new Error(`could not read every ${key}`);
        sub.judge.list(own, present, kind.ids, first);
        sub.complete.add(key);
        return;
      } catch (error) {
        if (sub.stopped.signal.aborted) return;
        sub.onError?.(asError(error));
        await clock.sleep(retryMs, sub.stopped.signal).catch(() => undefined);
      }
    }
  };

  const startKind = (key: string, target: KindTarget): KindWatch => {
    const subscribers = new Set<Subscriber>();
    const followers = new Set<Follower>();
    const controller = new AbortController();
    let onStarted = () => {};
    const started = new Promise<void>((resolve) => {
      onStarted = resolve;
    });
    const done = watchManagedKind(target, controller.signal, {
      kube: options.kube,
      clock,
      retryMs,
      onStarted,
      onEvent: (object, type) => {
        const owner = ownerOf(object);
        const id = idOf(object);
        for (const sub of subscribers) {
          if (sub.owner === owner) sub.judge.event({ type, object });
          // Another Application's now (its annotation changed): no longer as last seen here.
          else sub.judge.unseen(id);
        }
        for (const follower of followers) {
          if (follower.ids.has(id))
            follower.listener.onObject(id, type === 'DELETED' ? undefined : object);
        }
      },
      onGone: () => {
        for (const sub of subscribers) {
          sub.complete.delete(key);
          void read(sub, key, false);
        }
        for (const follower of followers) follower.listener.onMissed();
      },
      onError: (error) => {
        for (const sub of subscribers) sub.onError?.(error);
      },
    });
    const watch = { subscribers, followers, controller, done, started };
    kinds.set(key, watch);
    return watch;
  };

  /** Stops the watch of `key` when nobody uses it any more; resolves when it has ended. */
  const release = async (key: string, watch: KindWatch): Promise<void> => {
    if (watch.subscribers.size > 0 || watch.followers.size > 0 || kinds.get(key) !== watch) return;
    watch.controller.abort(new Error('no Application watches this kind any more'));
    kinds.delete(key);
    await watch.done;
  };

  return {
    watch: (watchOptions) => {
      const sub = subscriberOf(watchOptions, clock);
      const reads: Promise<void>[] = [];
      for (const [key, kind] of sub.kinds) {
        const [apiVersion = '', kindName = ''] = [kind.refs[0]?.apiVersion, kind.refs[0]?.kind];
        const watch = kinds.get(key) ?? startKind(key, { apiVersion, kind: kindName });
        watch.subscribers.add(sub);
        reads.push(read(sub, key, true));
      }
      return {
        ready: Promise.all(reads).then(() => undefined),
        seen: (id) => {
          const key = sub.kindOf.get(id);
          return key !== undefined && sub.complete.has(key) ? sub.judge.latest(id) : undefined;
        },
        stop: async () => {
          sub.stopped.abort(new Error('drift watch stopped'));
          const ending: Promise<void>[] = [];
          for (const [key, watch] of [...kinds]) {
            if (watch.subscribers.delete(sub)) ending.push(release(key, watch));
          }
          await Promise.allSettled(ending);
        },
      };
    },
    follow: (refs, listener) => {
      const byKind = new Map<string, { target: KindTarget; ids: Set<string> }>();
      for (const ref of refs) {
        const key = kindKey(ref);
        const kind = byKind.get(key) ?? {
          target: { apiVersion: ref.apiVersion, kind: ref.kind },
          ids: new Set<string>(),
        };
        kind.ids.add(idOf(ref));
        byKind.set(key, kind);
      }
      const joined: [string, KindWatch, Follower][] = [];
      for (const [key, { target, ids }] of byKind) {
        const watch = kinds.get(key) ?? startKind(key, target);
        const follower = { ids, listener };
        watch.followers.add(follower);
        joined.push([key, watch, follower]);
      }
      return {
        ready: Promise.all(joined.map(([, watch]) => watch.started)).then(() => undefined),
        stop: () => {
          for (const [key, watch, follower] of joined) {
            watch.followers.delete(follower);
            void release(key, watch);
          }
        },
      };
    },
    stop: async () => {
      const ending = [...kinds.values()].map((watch) => {
        watch.controller.abort(new Error('drift watching stopped'));
        return watch.done;
      });
      kinds.clear();
      await Promise.allSettled(ending);
    },
  };
}

function subscriberOf(options: HubWatchOptions, clock: Clock): Subscriber {
  const stopped = new AbortController();
  const debouncer = createDebouncer(
    options.onDrift,
    options.debounceMs ?? 1000,
    clock,
    stopped.signal,
    options.onError,
  );
  const kinds = new Map<string, { refs: KubeRef[]; ids: string[] }>();
  const kindOf = new Map<string, string>();
  for (const entry of options.inventory) {
    const ref = refOfEntry(entry);
    if (!ref) continue;
    const key = kindKey(ref);
    kindOf.set(entry.id, key);
    const kind = kinds.get(key) ?? { refs: [], ids: [] };
    kind.refs.push(ref);
    kind.ids.push(entry.id);
    kinds.set(key, kind);
  }
  return {
    owner: ownerValue(options.owner),
    judge: judgement(options, debouncer),
    kinds,
    kindOf,
    complete: new Set(),
    ...(options.onError ? { onError: options.onError } : {}),
    stopped,
  };
}

/** The key of a kind's shared watch. */
function kindKey(ref: Pick<KubeRef, 'apiVersion' | 'kind'>): string {
  return `${ref.apiVersion}/${ref.kind}`;
}
