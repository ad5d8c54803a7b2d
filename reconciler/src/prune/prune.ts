/**
 * Pruning: deleting the objects an Application applied before but no longer renders.
 *
 * Contract for the caller: prune only after an apply that fully succeeded. After a failed apply
 * the new set is not in the cluster, so the inventory diff would delete objects that are still
 * wanted; keep the previous inventory and prune on the next successful apply.
 *
 * An object is deleted only when it still carries this Application's owner annotation: one that
 * another Application took over, or that someone re-created by hand, is skipped (and can leave
 * the inventory), and so is one annotated `kustodian.dev/prune: disabled`. A delete that fails
 * stays in the result as `failed`, so the caller keeps it in the inventory and tries again next
 * time. An object that is already gone counts as deleted, and so is one whose kind is no longer
 * served at any version of its group (its CRD is gone); one whose version was retired while
 * another version of its group still serves its kind is deleted through that version.
 */

import { isPruneDisabled, pruneAnnotation } from '@kustodian/shared/apply/object-options';
import { type Owner, ownerOf, ownerValue } from '@kustodian/shared/apply/ownership';
import { messageOf, StepError } from '@kustodian/shared/errors';
import { groupOf } from '@kustodian/shared/manifests/object-id';
import { type InventoryEntry, refOfEntry } from '../inventory/inventory.ts';
import { UnknownKindError } from '../kube/discovery.ts';
import type { Kube } from '../kube/kube.ts';
import { type KubeRef, metaString } from '../kube/object.ts';

/** Per-object outcomes of a prune. */
export const pruneOutcomes = ['deleted', 'skipped', 'failed'] as const;
export type PruneOutcome = (typeof pruneOutcomes)[number];

/** What happened to one object. */
export interface PruneEntry {
  entry: InventoryEntry;
  outcome: PruneOutcome;
  /** For `skipped`: why it was left alone; for `failed`: what went wrong. */
  message?: string;
}

/** Options of {@link prune}. */
export interface PruneOptions {
  /** The Application whose objects may be deleted. */
  owner: Owner;
  /** The client to delete with (an impersonating one for the Application's service account). */
  kube: Pick<Kube, 'get' | 'delete' | 'servedApiVersion'>;
  /** Dry run: ask the server, delete nothing. */
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * Deletes `entries` one by one in the order given (use `diffInventory`'s reverse apply order).
 * Never throws for a single object; rejects only when aborted.
 */
export async function prune(
  entries: readonly InventoryEntry[],
  options: PruneOptions,
): Promise<PruneEntry[]> {
  const results: PruneEntry[] = [];
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    results.push(await pruneOne(entry, options));
  }
  return results;
}

async function pruneOne(entry: InventoryEntry, options: PruneOptions): Promise<PruneEntry> {
  const ref = refOfEntry(entry);
  if (!ref) return { entry, outcome: 'skipped', message: `${entry.id} is not an object id` };
  try {
    try {
      return await deleteIfOwned(entry, ref, options);
    } catch (error) {
      if (!(error instanceof UnknownKindError)) throw error;
      // The version it was applied as is retired; the kind may still be served at another.
      const served = await options.kube.servedApiVersion(groupOf(ref.apiVersion), ref.kind);
      if (served === undefined) {
        return { entry, outcome: 'deleted', message: 'its kind is no longer served' };
      }
      return await deleteIfOwned(entry, { ...ref, apiVersion: served }, options);
    }
  } catch (error) {
    options.signal?.throwIfAborted();
    // Errors of the client already name the step and the object.
    const message =
      error instanceof StepError
        ? error.message
        : new StepError('prune', entry.id, messageOf(error)).message;
    return { entry, outcome: 'failed', message };
  }
}

/** Deletes the object at `ref` if it still carries our ownership; throws what the client throws. */
async function deleteIfOwned(
  entry: InventoryEntry,
  ref: KubeRef,
  options: PruneOptions,
): Promise<PruneEntry> {
  const signal = options.signal ? { signal: options.signal } : {};
  const live = await options.kube.get(ref, signal);
  if (!live) return { entry, outcome: 'deleted', message: 'already gone' };
  const owner = ownerOf(live);
  if (owner !== ownerValue(options.owner)) {
    const why = owner ? `now owned by ${owner}` : 'no longer carries an owner annotation';
    return { entry, outcome: 'skipped', message: `left alone: ${why}` };
  }
  if (isPruneDisabled(live)) {
    return { entry, outcome: 'skipped', message: `left alone: ${pruneAnnotation} is disabled` };
  }
  const uid = metaString(live, 'uid');
  await options.kube.delete(ref, {
    ...signal,
    propagation: 'Background',
    ...(uid ? { uid } : {}),
    ...(options.dryRun ? { dryRun: true } : {}),
  });
  return { entry, outcome: 'deleted' };
}

/** The entries a prune could not delete: keep them in the inventory and retry them. */
export function survivors(results: readonly PruneEntry[]): InventoryEntry[] {
  return results.filter((result) => result.outcome === 'failed').map((result) => result.entry);
}
