/**
 * Drift: an object we applied was deleted, or another field manager has set fields we set.
 * Server-side apply records who set which field in `metadata.managedFields`; an entry of any
 * manager other than `kustodian` (status updates aside) that covers a field of the desired
 * object means someone changed, or took over, what we declared. Pure functions.
 */
import { applyPolicyOf } from '@kustodian/shared/apply/object-options';
import { fieldManager } from '../kube/kube.ts';
import {
  type KubeObject,
  type ManagedFieldsEntry,
  managedFieldsOf,
  metaString,
} from '../kube/object.ts';
import { type FieldPath, fieldsV1Paths, formatPath, objectPaths, overlapping } from './fields.ts';

/** One other manager's hold on fields we own. */
export interface ForeignChange {
  manager: string;
  operation: string;
  /** When it last wrote (as the server recorded it, to the second). */
  time: string;
  /** The fields, as `data.mode`. */
  fields: string[];
  /** The same fields as paths, for code that acts on them. */
  paths: FieldPath[];
}

/** Why an object drifted. */
export type Drift = { kind: 'deleted' } | { kind: 'changed'; changes: ForeignChange[] };

/** The drift of a live object from the desired one, or `undefined` when there is none. */
export function driftOf(live: KubeObject | undefined, desired: KubeObject): Drift | undefined {
  if (!live || metaString(live, 'deletionTimestamp')) return { kind: 'deleted' };
  // Created once, then left to whoever changes it: only its deletion is drift.
  if (applyPolicyOf(desired) === 'IfNotPresent') return undefined;
  const changes = foreignChanges(live, objectPaths(desired));
  return changes.length > 0 ? { kind: 'changed', changes } : undefined;
}

/** Whether `live` has drifted from `desired` (deleted, or fields set by another manager). */
export function isDrifted(live: KubeObject | undefined, desired: KubeObject): boolean {
  return driftOf(live, desired) !== undefined;
}

/** The entries of other managers that cover any of `owned`, by manager and operation. */
export function foreignChanges(live: KubeObject, owned: ReadonlySet<FieldPath>): ForeignChange[] {
  const changes: ForeignChange[] = [];
  for (const entry of managedFieldsOf(live)) {
    if (!isForeign(entry)) continue;
    const fields = overlapping(fieldsV1Paths(entry.fieldsV1), owned);
    if (fields.length === 0) continue;
    changes.push({
      manager: entry.manager ?? '',
      operation: entry.operation ?? '',
      time: entry.time ?? '',
      fields: fields.map(formatPath),
      paths: fields,
    });
  }
  return changes;
}

/** The fields `kustodian` holds in a live object (what it applied last). */
export function ownedFields(live: KubeObject): Set<FieldPath> {
  const owned = new Set<FieldPath>();
  for (const entry of managedFieldsOf(live)) {
    if (entry.manager !== fieldManager || entry.subresource) continue;
    for (const path of fieldsV1Paths(entry.fieldsV1)) owned.add(path);
  }
  return owned;
}

/** A one-line description: `changed by kubectl-edit (Update): data.mode`. */
export function describeDrift(drift: Drift): string {
  if (drift.kind === 'deleted') return 'deleted (or no longer labelled as managed)';
  return drift.changes
    .map(
      (change) => `changed by ${change.manager} (${change.operation}): ${change.fields.join(', ')}`,
    )
    .join('; ');
}

/** Entries of other managers; status writes of controllers are not drift. */
function isForeign(entry: ManagedFieldsEntry): boolean {
  return entry.manager !== fieldManager && entry.subresource !== 'status';
}
