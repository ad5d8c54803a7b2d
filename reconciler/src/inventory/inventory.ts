/**
 * The inventory: what an Application applied last time, as a sorted list of `{ id, version }`.
 * Ids are the canonical `group/Kind/namespace/name`; the version (`v1`, `v1beta2`) is what the
 * object was applied as, so it can be addressed again for deletion. Pure functions only.
 */
import {
  compareObjectKeys,
  type ObjectKey,
  parseObjectId,
  versionOf,
} from '@kustodian/shared/manifests/object-id';
import { compareApplyOrder } from '../apply/stages.ts';
import { idOf, type KubeObject, type KubeRef } from '../kube/object.ts';

/** One object of an inventory. */
export interface InventoryEntry {
  id: string;
  version: string;
}

/** Entries sorted by id order ({@link compareObjectKeys}), without duplicates. */
export type Inventory = readonly InventoryEntry[];

/** The inventory of a set of objects (as applied: namespaces filled in). */
export function inventoryOf(objects: readonly KubeObject[]): Inventory {
  return normalizeInventory(objects.map(entryOf));
}

/** The inventory entry of one object (as applied: namespace filled in). */
export function entryOf(obj: KubeObject): InventoryEntry {
  return { id: idOf(obj), version: versionOf(obj.apiVersion) };
}

/**
 * Sorts entries by id and keeps one entry per id (the last given wins, so a newer version
 * replaces an older one). Entries whose id cannot be read sort last, by text.
 */
export function normalizeInventory(entries: readonly InventoryEntry[]): Inventory {
  const byId = new Map<string, InventoryEntry>();
  for (const entry of entries) byId.set(entry.id, { id: entry.id, version: entry.version });
  return [...byId.values()].sort((a, b) => compareKeysOrText(a.id, b.id, compareObjectKeys));
}

/**
 * The objects to prune: in `previous` but not in `current` (by id; a version change is not a
 * removal), in reverse apply order, so namespaced objects go before their Namespace and custom
 * resources before their CRD.
 */
export function diffInventory(previous: Inventory, current: Inventory): InventoryEntry[] {
  const kept = new Set(current.map((entry) => entry.id));
  return sortForDeletion(previous.filter((entry) => !kept.has(entry.id)));
}

/** Entries in reverse apply order; unreadable ids last. */
export function sortForDeletion(entries: readonly InventoryEntry[]): InventoryEntry[] {
  return [...entries].sort((a, b) =>
    compareKeysOrText(a.id, b.id, (x, y) => compareApplyOrder(y, x)),
  );
}

/** The reference of an entry, to get or delete it; `undefined` when its id cannot be read. */
export function refOfEntry(entry: InventoryEntry): KubeRef | undefined {
  const key = parseObjectId(entry.id);
  if (!key) return undefined;
  return {
    apiVersion: key.group === '' ? entry.version : `${key.group}/${entry.version}`,
    kind: key.kind,
    name: key.name,
    ...(key.namespace ? { namespace: key.namespace } : {}),
  };
}

/** Merges entries back into an inventory (prune survivors are kept for the next attempt). */
export function withEntries(inventory: Inventory, extra: readonly InventoryEntry[]): Inventory {
  const present = new Set(inventory.map((entry) => entry.id));
  return normalizeInventory([...inventory, ...extra.filter((entry) => !present.has(entry.id))]);
}

function compareKeysOrText(
  a: string,
  b: string,
  compare: (x: ObjectKey, y: ObjectKey) => number,
): number {
  const x = parseObjectId(a);
  const y = parseObjectId(b);
  if (x && y) return compare(x, y);
  if (x) return -1;
  if (y) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
