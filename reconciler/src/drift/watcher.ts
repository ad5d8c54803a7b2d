/**
 * The drift watcher: given an Application's inventory, it watches the kinds in it (selecting on
 * the managed-by label, across namespaces, through the shared watches of `hub.ts`) and reports,
 * debounced, every object that was deleted or whose fields another manager changed. The
 * controller then re-applies.
 *
 * Which fields are ours: the desired objects when given, else what `kustodian` held when the
 * watcher first saw the object. A change is reported once per new write of another manager
 * (manager, operation, time and fields), so fields shared with another manager that sets the same
 * value are not reported again on every unrelated event. Fields given up in a fight (see
 * `conflicts.ts`) are not watched: another manager setting them is no drift.
 */

import { applyPolicyOf } from '@kustodian/shared/apply/object-options';
import { isOwnedBy, type Owner } from '@kustodian/shared/apply/ownership';
import type { Inventory } from '../inventory/inventory.ts';
import type { Clock } from '../kube/clock.ts';
import type { Kube, WatchEvent } from '../kube/kube.ts';
import { idOf, type KubeObject, metaString } from '../kube/object.ts';
import type { Debouncer, DriftReport } from './debounce.ts';
import { type ForeignChange, foreignChanges, ownedFields } from './drifted.ts';
import { type FieldPath, formatPath, objectPaths, overlapping } from './fields.ts';
import { startDriftHub } from './hub.ts';

/** Options of {@link watchDrift}. */
export interface DriftWatchOptions {
  kube: Pick<Kube, 'get' | 'list' | 'watch'>;
  inventory: Inventory;
  /** Objects that carry another owner's annotation are not ours any more: ignored. */
  owner: Owner;
  /** The objects as applied; without them, the fields `kustodian` held at first sight count. */
  desired?: readonly KubeObject[];
  /**
   * Ids of objects applied `kustodian.dev/apply: IfNotPresent` (as are those of `desired` so
   * annotated): created once and then left to others, so only their deletion is drift.
   */
  deletionOnly?: readonly string[];
  /** Fields not watched, by object id: those given up in a fight. */
  ignored?: ReadonlyMap<string, readonly FieldPath[]>;
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
  /**
   * The object as last seen (read or from an event; without `managedFields`), while its kind's
   * view is complete: listed, and not being read again after missed events. Else `undefined`.
   */
  seen(id: string): KubeObject | undefined;
  /** Stops every watch; pending reports are dropped. */
  stop(): Promise<void>;
}

/**
 * Starts watching the kinds of `options.inventory`; see the module comment. This is a hub of
 * one Application; the reconciler shares one hub ({@link startDriftHub}) between all of them.
 */
export function watchDrift(options: DriftWatchOptions): DriftWatch {
  const hub = startDriftHub({
    kube: options.kube,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.retryMs === undefined ? {} : { retryMs: options.retryMs }),
  });
  const watch = hub.watch(options);
  return {
    ready: watch.ready,
    seen: (id) => watch.seen(id),
    stop: async () => {
      await watch.stop();
      await hub.stop();
    },
  };
}

/**
 * How one Application's objects and events are judged, with what it remembers of each object.
 * `list` takes the owner's listed objects of one kind, the ids of every object listed (whoever
 * owns it), and the owner's ids of that kind: those not listed at all are reported deleted.
 */
export function judgement(
  options: Pick<DriftWatchOptions, 'inventory' | 'owner' | 'desired' | 'deletionOnly' | 'ignored'>,
  debouncer: Debouncer,
) {
  const ids = new Set(options.inventory.map((entry) => entry.id));
  const desired = new Map((options.desired ?? []).map((obj) => [idOf(obj), objectPaths(obj)]));
  const deletionOnly = new Set([
    ...(options.deletionOnly ?? []),
    ...(options.desired ?? []).filter((obj) => applyPolicyOf(obj) === 'IfNotPresent').map(idOf),
  ]);
  const tracked = new Map<string, { owned: Set<FieldPath>; seen: string }>();
  // Each object as last seen, for `DriftWatch.seen` (managedFields left out: they are large).
  const latest = new Map<string, KubeObject>();
  const object = (live: KubeObject, report: boolean): void => {
    const id = idOf(live);
    if (!ids.has(id)) return;
    if (!isOwnedBy(live, options.owner)) {
      latest.delete(id);
      return;
    }
    if (metaString(live, 'deletionTimestamp')) {
      latest.delete(id);
      debouncer.add(id, { kind: 'deleted' });
      return;
    }
    latest.set(id, withoutManagedFields(live));
    if (deletionOnly.has(id)) return;
    const known = tracked.get(id);
    const owned = desired.get(id) ?? new Set([...(known?.owned ?? []), ...ownedFields(live)]);
    const changes = withoutIgnored(foreignChanges(live, owned), options.ignored?.get(id));
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
    latest.delete(id);
  };
  const list = (
    own: readonly KubeObject[],
    present: ReadonlySet<string>,
    kindIds: readonly string[],
    first: boolean,
  ): void => {
    const listed = new Set(own.map(idOf));
    for (const id of kindIds) if (!listed.has(id)) latest.delete(id);
    for (const item of own) object(item, !first);
    for (const id of kindIds) if (!present.has(id)) debouncer.add(id, { kind: 'deleted' });
  };
  return {
    object,
    event,
    list,
    latest: (id: string) => latest.get(id),
    unseen: (id: string) => latest.delete(id),
  };
}

function withoutManagedFields(live: KubeObject): KubeObject {
  const { managedFields: _fields, ...metadata } = live.metadata;
  return { ...live, metadata };
}

/** `changes` without the fields of `ignored`; changes left with no field go. */
function withoutIgnored(
  changes: ForeignChange[],
  ignored: readonly FieldPath[] | undefined,
): ForeignChange[] {
  if (!ignored?.length) return changes;
  const given = new Set(ignored);
  return changes.flatMap((change) => {
    const paths = change.paths.filter((path) => overlapping([path], given).length === 0);
    return paths.length > 0 ? [{ ...change, paths, fields: paths.map(formatPath) }] : [];
  });
}

export type { DriftReport };
