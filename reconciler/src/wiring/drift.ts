/**
 * Drift watching per Application: after each reconcile, the Application's inventory is watched
 * (restarted only when the inventory changed) through one hub of shared watches, one per kind;
 * an object deleted or changed by another manager queues the Application again when `selfHeal`
 * is on, and is only logged when it is off.
 */
import { isDeepStrictEqual } from 'node:util';
import { messageOf } from '@kustodian/shared/errors';
import type { Application } from '../api/application.ts';
import type { LiveView } from '../apply/applied.ts';
import type { DriftConflict } from '../drift/conflicts.ts';
import type { FieldPath } from '../drift/fields.ts';
import { startDriftHub } from '../drift/hub.ts';
import type { DriftWatch } from '../drift/watcher.ts';
import type { Inventory } from '../inventory/inventory.ts';
import type { ChangeFeed } from '../kube/changes.ts';
import type { Kube } from '../kube/kube.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

/** What drift watching needs. */
export interface DriftWatchingOptions {
  readonly kube: Pick<Kube, 'get' | 'list' | 'watch'>;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly refresh: (key: string, why: string) => void;
}

/** Drift watchers of every Application, and a feed of changes from their watches. */
export interface DriftWatching extends ChangeFeed {
  /**
   * Watches `app`'s current inventory (a no-op when it did not change); the objects in
   * `ifNotPresent` (as the last apply said, kept until another apply says otherwise) only for
   * their deletion, and the fields of `conflicts` (kept likewise) not at all.
   */
  track(
    key: string,
    app: Application,
    ifNotPresent?: readonly string[],
    conflicts?: readonly DriftConflict[],
  ): void;
  /**
   * What `key`'s watcher sees of its objects (`DriftWatch.seen`), for the apply to skip
   * unchanged ones; `undefined` when it is not watched.
   */
  view(key: string): LiveView | undefined;
  /** Stops the watcher of a deleted Application. */
  forget(key: string): Promise<void>;
  stopAll(): Promise<void>;
}

/** Starts with no watchers. */
export function startDriftWatching(options: DriftWatchingOptions): DriftWatching {
  const hub = startDriftHub({ kube: options.kube });
  const watchers = new Map<
    string,
    {
      inventory: Inventory;
      selfHeal: boolean;
      deletionOnly: readonly string[];
      ignored: Map<string, FieldPath[]>;
      watch: DriftWatch;
    }
  >();
  const forget = async (key: string) => {
    const current = watchers.get(key);
    watchers.delete(key);
    await current?.watch.stop();
  };
  return {
    track: (key, app, ifNotPresent, conflicts) => {
      const inventory = app.status?.inventory?.entries ?? [];
      const selfHeal = (app.spec as { selfHeal?: unknown } | undefined)?.selfHeal !== false;
      const current = watchers.get(key);
      const deletionOnly = [...(ifNotPresent ?? current?.deletionOnly ?? [])].sort();
      const ignored = conflicts ? ignoredOf(conflicts) : (current?.ignored ?? new Map());
      if (
        current &&
        current.selfHeal === selfHeal &&
        isDeepStrictEqual(current.inventory, inventory) &&
        isDeepStrictEqual(current.deletionOnly, deletionOnly) &&
        isDeepStrictEqual(current.ignored, ignored)
      )
        return;
      if (inventory.length === 0) {
        watchers.delete(key);
        void current?.watch.stop();
        return;
      }
      const log = options.log.child({ application: key, component: 'drift' });
      const watch = hub.watch({
        inventory,
        deletionOnly,
        ignored,
        owner: { namespace: app.metadata.namespace ?? 'default', name: app.metadata.name },
        onDrift: (reports) => {
          const summary = reports.map((r) => `${r.id} ${r.message}`).join('; ');
          if (!selfHeal) {
            log.warn('drift detected; selfHeal is off, leaving it', { drift: summary });
            return;
          }
          log.info('drift detected; reverting', { drift: summary });
          options.refresh(key, `drift: ${summary}`);
        },
        onError: (error) =>
          log.warn('drift watch failed; watching again', { error: messageOf(error) }),
      });
      watchers.set(key, { inventory, selfHeal, deletionOnly, ignored, watch });
      // Stopped after the new watch joined, so kinds both use stay watched.
      void current?.watch.stop();
    },
    view: (key) => {
      const watch = watchers.get(key)?.watch;
      return watch ? { seen: (id) => watch.seen(id) } : undefined;
    },
    follow: (refs, listener) => hub.follow(refs, listener),
    forget,
    stopAll: async () => {
      await Promise.all([...watchers.keys()].map(forget));
      await hub.stop();
    },
  };
}

/** The fields given up, by object id, in a stable order. */
function ignoredOf(conflicts: readonly DriftConflict[]): Map<string, FieldPath[]> {
  const byObject = new Map<string, FieldPath[]>();
  for (const conflict of [...conflicts].sort((a, b) => a.object.localeCompare(b.object)))
    byObject.set(conflict.object, [...(byObject.get(conflict.object) ?? []), ...conflict.fields]);
  return byObject;
}
