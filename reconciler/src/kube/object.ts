/**
 * The shape of Kubernetes objects as the reconciler reads and writes them, and the one way to
 * name them. Objects stay plain JSON: every field the API server returns is kept, so custom
 * resources survive a round trip untouched.
 */
import { groupOf, objectId, versionOf } from '@kustodian/shared/manifests/object-id';

/** One entry of `metadata.managedFields`: who set which fields, and how. */
export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/** `metadata` with the fields the reconciler reads; every other field is kept as is. */
export interface ObjectMeta {
  name: string;
  namespace?: string | undefined;
  [field: string]: unknown;
}

/** A Kubernetes object: `apiVersion`, `kind`, `metadata`, and whatever else it holds. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

/** What names one object for a request: enough to build its URL. */
export interface KubeRef {
  apiVersion: string;
  kind: string;
  name: string;
  /** Absent for cluster-scoped objects (and for namespaced ones that take the default). */
  namespace?: string | undefined;
}

/** The reference of an object. */
export function refOf(obj: KubeObject): KubeRef {
  const ref: KubeRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata.name };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** The canonical id (`group/Kind/namespace/name`) of an object or a reference. */
export function idOf(target: KubeObject | KubeRef): string {
  const ref = 'metadata' in target ? refOf(target as KubeObject) : target;
  return objectId({
    group: groupOf(ref.apiVersion),
    kind: ref.kind,
    name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
  });
}

/** The version part of an object's `apiVersion`, as inventories record it. */
export function versionOfObject(obj: KubeObject | KubeRef): string {
  return versionOf(obj.apiVersion);
}

/** A string-valued map field of `metadata` (`labels`, `annotations`); `{}` when absent. */
export function stringMap(
  obj: KubeObject,
  field: 'labels' | 'annotations',
): Record<string, string> {
  const value = obj.metadata[field];
  if (!isRecord(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry === 'string') out[key] = entry;
  }
  return out;
}

/** A string field of `metadata` (`uid`, `resourceVersion`, `deletionTimestamp`, ...). */
export function metaString(obj: KubeObject, field: string): string | undefined {
  const value = obj.metadata[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `metadata.managedFields`, or `[]`. */
export function managedFieldsOf(obj: KubeObject): ManagedFieldsEntry[] {
  const value = obj.metadata.managedFields;
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A deep copy of a JSON value (objects read from the API server are plain JSON). */
export function cloneJson<T>(value: T): T {
  return structuredClone(value);
}
