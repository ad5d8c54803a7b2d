/**
 * The drift watcher: given an Application's inventory, it watches the kinds in it (selecting on
 * the managed-by label, across namespaces) and reports, debounced, every object that was deleted
 * or whose fields another manager changed. The controller then re-applies.
 *
 * Which fields are ours: the desired objects when given, else what `kustodian` held when the
 * watcher first saw the object. A change is reported once per new write of another manager
 * (manager, operation, time and fields), so fields shared with another manager that sets the same
 * value are not reported again on every unrelated event.
 */
import { isOwnedBy, type Owner } from '../apply/ownership.ts';
import { type Inventory, refOfEntry } from '../inventory/inventory.ts';
import { type Clock, systemClock } from '../kube/clock.ts';
import type { Kube, WatchEvent } from '../kube/kube.ts';
import { idOf, type KubeObject, metaString } from '../kube/object.ts';
import { createDebouncer, type Debouncer, type DriftReport } from './debounce.ts';
import { foreignChanges, ownedFields } from './drifted.ts';
import { type FieldPath, objectPaths } from './fields.ts';
import { type KindTarget, watchKind } from './watch-kind.ts';

/** Options of {@link watchDrift}. */
export interface DriftWatchOptions {
  kube: Pick<Kube, 'list' | 'watch'>;
  inventory: Inventory;
  /** Objects that carry another owner's annotation are not ours any more: ignored. */
  owner: Owner;
  /** The objects as applied; without them, the fields `kustodian` held at first sight count. */
  desired?: readonly KubeObject[];
  /** Called with the drifted objects, sorted by id, after `debounceMs` of quiet. */
  onDrift: (reports: DriftReport[]) => void;
  /** Default 1 s. */
  debounceMs?: number;
  /** Called when a watch fails (it is listed and watched again after `retryMs`). */
  onError?: (error: Error) => void;
  /** Default 5 s. */
  retryMs?: number;
  clock?: Clock;
}

/** A running drift watcher. */
export interface DriftWatch {
  /** Resolves once every kind has been listed (changes from then on are seen). */
  ready: Promise<void>;
  /** Stops every watch; pending reports are dropped. */
  stop(): Promise<void>;
}

/** Starts watching the kinds of `options.inventory`; see the module comment. */
export function watchDrift(options: DriftWatchOptions): DriftWatch {
  const clock = options.clock ?? systemClock;
  const controller = new AbortController();
  const debouncer = createDebouncer(
    options.onDrift,
    options.debounceMs ?? 1000,
    clock,
    controller.signal,
    options.onError,
  );
  const judge = judgement(options, debouncer);
  const loops = kindsOf(options.inventory).map(({ target, ids }) => {
    let listed = (): void => {};
    const ready = new Promise<void>((resolve) => {
      listed = resolve;
    });
    const done = watchKind(target, controller.signal, {
      kube: options.kube,
      clock,
      retryMs: options.retryMs ?? 5000,
      ...(options.onError ? { onError: options.onError } : {}),
      onList: (items, first) => {
        const present = new Set(items.map((item) => idOf(item)));
        for (const item of items) judge.object(item, !first);
        for (const id of ids) if (!present.has(id)) debouncer.add(id, { kind: 'deleted' });
        listed();
      },
      onEvent: judge.event,
    });
    return { ready, done };
  });
  return {
    ready: Promise.all(loops.map((loop) => loop.ready)).then(() => undefined),
    stop: async () => {
      controller.abort(new Error('drift watch stopped'));
      await Promise.allSettled(loops.map((loop) => loop.done));
    },
  };
}

/** How objects and events are judged, with what the watcher remembers of each object. */
function judgement(options: DriftWatchOptions, debouncer: Debouncer) {
  const ids = new Set(options.inventory.map((entry) => entry.id));
  const desired = new Map((options.desired ?? []).map((obj) => [idOf(obj), objectPaths(obj)]));
  const tracked = new Map<string, { owned: Set<FieldPath>; seen: string }>();
  const object = (live: KubeObject, report: boolean): void => {
    const id = idOf(live);
    if (!ids.has(id) || !isOwnedBy(live, options.owner)) return;
    if (metaString(live, 'deletionTimestamp')) {
      debouncer.add(id, { kind: 'deleted' });
      return;
    }
    const known = tracked.get(id);
    const owned = desired.get(id) ?? new Set([...(known?.owned ?? []), ...ownedFields(live)]);
    const changes = foreignChanges(live, owned);
    const seen = JSON.stringify(changes);
    tracked.set(id, { owned, seen });
    if (report && changes.length > 0 && seen !== known?.seen) {
      debouncer.add(id, { kind: 'changed', changes });
    }
  };
  const event = (change: WatchEvent): void => {
    if (change.type === 'BOOKMARK') return;
    if (change.type !== 'DELETED') {
      object(change.object, true);
      return;
    }
    const id = idOf(change.object);
    if (ids.has(id)) debouncer.add(id, { kind: 'deleted' });
    tracked.delete(id);
  };
  return { object, event };
}

/** The kinds of an inventory with the ids of each. */
function kindsOf(inventory: Inventory): { target: KindTarget; ids: string[] }[] {
  const kinds = new Map<string, { target: KindTarget; ids: string[] }>();
  for (const entry of inventory) {
    const ref = refOfEntry(entry);
    if (!ref) continue;
    const key = `${ref.apiVersion}/${ref.kind}`;
    const kind = kinds.get(key) ?? {
      target: { apiVersion: ref.apiVersion, kind: ref.kind },
      ids: [],
    };
    kind.ids.push(entry.id);
    kinds.set(key, kind);
  }
  return [...kinds.values()];
}

export type { DriftReport };
