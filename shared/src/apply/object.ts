/**
 * The shape of a Kubernetes object as it is applied and compared: `apiVersion`, `kind`,
 * `metadata` and whatever else it holds, kept as plain JSON so that custom resources survive a
 * round trip. The reconciler and the query layer both prepare and compare objects of this shape.
 */

/** `metadata` with the fields applying reads; every other field is kept as is. */
export interface AppliedMeta {
  name: string;
  namespace?: string | undefined;
  [field: string]: unknown;
}

/** A Kubernetes object as applied: `apiVersion`, `kind`, `metadata`, and the rest. */
export interface AppliedObject {
  apiVersion: string;
  kind: string;
  metadata: AppliedMeta;
  [field: string]: unknown;
}

/** Whether a value is a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string-valued map field of `metadata` (`labels`, `annotations`); `{}` when absent. */
export function stringMap(
  obj: AppliedObject,
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
