/**
 * Deleting an Application: a finalizer holds it until the objects it applied are dealt with,
 * as its deletion policy says, and only then lets it go.
 *
 *   add the finalizer before the first apply → on deletion: decide → prune or orphan → release
 *
 * The decision is pure; acting on it takes the same prune as a sync (only objects that still
 * carry this Application's owner annotation, in reverse apply order, as its service account). A
 * prune that fails keeps the finalizer, so the Application stays, says why and is tried again.
 */
import type { ApplicationSpec } from '@kustodian/shared/config/application';
import type { Application, InventoryEntry } from '../api/application.ts';
import { refOfEntry, sortForDeletion } from '../inventory/inventory.ts';
import type { JsonPatchOperation } from '../kube/kube.ts';
import type { PruneReport } from './ports.ts';

/** The finalizer this reconciler puts on every Application it applies. */
export const finalizerName = 'kustodian.dev/finalizer';

/** What deleting an Application does to its objects. */
export type DeletionDecision =
  | { readonly kind: 'delete' }
  | { readonly kind: 'orphan'; readonly why: string };

/** Whether the Application has been asked to go (it has a deletion timestamp). */
export function isDeleting(app: Application): boolean {
  return typeof app.metadata.deletionTimestamp === 'string';
}

/** The Application's finalizers. */
export function finalizersOf(app: Application): string[] {
  const list = app.metadata.finalizers;
  return Array.isArray(list) ? list.filter((item): item is string => typeof item === 'string') : [];
}

/** Whether this reconciler's finalizer is on the Application. */
export function hasFinalizer(app: Application): boolean {
  return finalizersOf(app).includes(finalizerName);
}

/**
 * Decides what deleting the Application does to its objects. `spec` is `undefined` when the
 * spec no longer parses (`problem` says why): then nothing says what the owner wanted, so the
 * objects are left in place rather than deleted on a guess.
 */
export function decideDeletion(
  spec: ApplicationSpec | undefined,
  problem?: string,
): DeletionDecision {
  if (spec === undefined) return { kind: 'orphan', why: `its spec is invalid: ${problem}` };
  if (spec.suspend) return { kind: 'orphan', why: 'it is suspended' };
  switch (spec.deletionPolicy) {
    case 'Orphan':
      return { kind: 'orphan', why: 'its deletionPolicy is Orphan' };
    case 'Delete':
      return { kind: 'delete' };
    case 'MirrorPrune':
      return spec.prune
        ? { kind: 'delete' }
        : { kind: 'orphan', why: 'prune is off (deletionPolicy MirrorPrune)' };
  }
}

/**
 * The JSON Patch that adds the finalizer, refused by the server (422) if the finalizers changed
 * since `app` was read, so a concurrent edit is never overwritten.
 */
export function addFinalizerPatch(app: Application): JsonPatchOperation[] {
  const current = app.metadata.finalizers;
  if (current === undefined) {
    const uid = app.metadata.uid;
    return [
      ...(typeof uid === 'string'
        ? [{ op: 'test' as const, path: '/metadata/uid', value: uid }]
        : []),
      { op: 'add', path: '/metadata/finalizers', value: [finalizerName] },
    ];
  }
  return [
    { op: 'test', path: '/metadata/finalizers', value: current },
    { op: 'add', path: '/metadata/finalizers/-', value: finalizerName },
  ];
}

/** The JSON Patch that removes the finalizer, on the same condition. */
export function removeFinalizerPatch(app: Application): JsonPatchOperation[] {
  return [
    { op: 'test', path: '/metadata/finalizers', value: app.metadata.finalizers ?? [] },
    {
      op: 'replace',
      path: '/metadata/finalizers',
      value: finalizersOf(app).filter((name) => name !== finalizerName),
    },
  ];
}

/** What finalizing came to. */
export type FinalizeOutcome =
  | { readonly kind: 'orphaned'; readonly why: string; readonly left: number }
  | {
      readonly kind: 'deleted';
      readonly report: PruneReport;
      /** Objects in the Application's own namespace, left to its deletion. */
      readonly withNamespace: number;
    }
  | { readonly kind: 'failed'; readonly report: PruneReport; readonly message: string };

/** What finalizing needs besides the Application. */
export interface FinalizeOptions {
  /** Deletes `entries` (in the order given) as the Application's service account. */
  readonly prune: (entries: readonly InventoryEntry[]) => Promise<PruneReport>;
  /**
   * The Application's namespace is being deleted with it. Its objects there go with the
   * namespace, and the rest is left if it cannot be deleted: the rights to delete may be going
   * with the namespace too, and an Application that cannot finish would keep the namespace
   * terminating for ever.
   */
  readonly namespaceTerminating: boolean;
}

/** Deals with the objects of an Application being deleted, as `decision` says. */
export async function finalizeObjects(
  app: Application,
  decision: DeletionDecision,
  options: FinalizeOptions,
): Promise<FinalizeOutcome> {
  const entries: readonly InventoryEntry[] = app.status?.inventory?.entries ?? [];
  if (decision.kind === 'orphan') {
    return { kind: 'orphaned', why: decision.why, left: entries.length };
  }
  const namespace = app.metadata.namespace;
  const inNamespace = (entry: InventoryEntry) =>
    options.namespaceTerminating && refOfEntry(entry)?.namespace === namespace;
  const report = await options.prune(sortForDeletion(entries.filter((e) => !inNamespace(e))));
  const withNamespace = entries.filter(inNamespace).length;
  if (report.failed.length === 0) return { kind: 'deleted', report, withNamespace };
  const failures = report.failed
    .map((failure) => `${failure.entry.id}: ${failure.message}`)
    .join('; ');
  if (options.namespaceTerminating) {
    const why = `its namespace is being deleted and these could not be deleted: ${failures}`;
    return { kind: 'orphaned', why, left: report.failed.length };
  }
  return {
    kind: 'failed',
    report,
    message: `deleting the Application: could not delete ${failures}`,
  };
}
