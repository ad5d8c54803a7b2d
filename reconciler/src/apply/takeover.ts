/**
 * Taking over what client-side apply set. An object once applied with `kubectl apply` (or
 * adopted from a tool that applies client-side) carries a `managedFields` entry of
 * `kubectl-client-side-apply` that co-owns every field it set. A field Kustodian later stops
 * applying stays in the cluster while that entry still owns it, so removing it from git would
 * not remove it. Before the next apply, the fields of those entries move to Kustodian's own
 * apply entry (what `kubectl apply --server-side` does for its own migration), and that apply
 * then removes whatever git no longer has, kubectl's last-applied annotation included.
 *
 * Only entries of the same API version as Kustodian's are moved: field sets of other versions
 * do not describe the same fields.
 */
import type { JsonPatchOperation } from '../kube/kube.ts';
import { fieldManager } from '../kube/kube.ts';
import {
  isRecord,
  type KubeObject,
  type ManagedFieldsEntry,
  managedFieldsOf,
  metaString,
} from '../kube/object.ts';

/** The managers client-side apply writes as (the second one by kubectl's own migration). */
const clientSideManagers: readonly string[] = ['kubectl-client-side-apply', 'before-first-apply'];

/**
 * The JSON Patch that moves the fields of client-side apply entries to Kustodian's apply entry,
 * on condition that the object has not changed since `live` was read; `undefined` when there is
 * nothing to take over.
 */
export function takeOverPatch(
  live: KubeObject,
  apiVersion: string,
): JsonPatchOperation[] | undefined {
  const entries = managedFieldsOf(live);
  const isMain = (entry: ManagedFieldsEntry) => !entry.subresource;
  const taken = entries.filter(
    (entry) =>
      isMain(entry) &&
      entry.operation === 'Update' &&
      clientSideManagers.includes(entry.manager ?? '') &&
      entry.apiVersion === apiVersion,
  );
  if (taken.length === 0) return undefined;
  const ours = entries.find(
    (entry) => isMain(entry) && entry.manager === fieldManager && entry.operation === 'Apply',
  );
  if (ours !== undefined && ours.apiVersion !== apiVersion) return undefined;
  const fields = [ours, ...taken].reduce<Record<string, unknown>>(
    (union, entry) => unionFields(union, entry?.fieldsV1 ?? {}),
    {},
  );
  const merged: ManagedFieldsEntry = {
    manager: fieldManager,
    operation: 'Apply',
    apiVersion,
    time: ours?.time ?? taken[0]?.time ?? new Date(0).toISOString(),
    fieldsType: 'FieldsV1',
    fieldsV1: fields,
  };
  const rest = entries.filter((entry) => entry !== ours && !taken.includes(entry));
  const resourceVersion = metaString(live, 'resourceVersion');
  return [
    ...(resourceVersion === undefined
      ? []
      : [{ op: 'test' as const, path: '/metadata/resourceVersion', value: resourceVersion }]),
    { op: 'replace', path: '/metadata/managedFields', value: [merged, ...rest] },
  ];
}

/** The union of two `fieldsV1` sets (nested objects whose leaves are `{}`). */
export function unionFields(
  a: Readonly<Record<string, unknown>>,
  b: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [key, value] of Object.entries(b)) {
    const mine = out[key];
    out[key] = isRecord(mine) && isRecord(value) ? unionFields(mine, value) : (mine ?? value);
  }
  return out;
}
