/**
 * Deciding whether an apply would change anything: the server's dry-run result is compared with
 * the live object, leaving out what the server changes on every write (managedFields,
 * resourceVersion, generation, creation time, uid) and `status`, which apply does not set. An
 * object without differences is not written, so a resync of an unchanged set writes nothing.
 */
import { isRecord, type AppliedObject as KubeObject } from './object.ts';

/** `metadata` fields that differ between a dry run and the live object without any change. */
export const volatileMetadata: readonly string[] = [
  'managedFields',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'uid',
];

/** The part of an object an apply can change. */
export function comparable(obj: KubeObject): Record<string, unknown> {
  const { status: _status, metadata, ...rest } = obj;
  const kept = Object.entries(metadata).filter(([key]) => !volatileMetadata.includes(key));
  return { ...rest, metadata: Object.fromEntries(kept) };
}

/** How many changed paths a diff lists at most. */
export const maxDiffPaths = 20;

/**
 * The paths that differ between the live object and the dry-run result, such as
 * `spec.replicas` or `data[app.properties]`, at most `limit` (default {@link maxDiffPaths}).
 * Values are never included: a diff may be about a Secret.
 */
export function changedPaths(live: KubeObject, merged: KubeObject, limit = maxDiffPaths): string[] {
  const paths: string[] = [];
  walk(comparable(live), comparable(merged), '', paths, limit);
  return paths;
}

function walk(a: unknown, b: unknown, path: string, out: string[], limit: number): void {
  if (out.length >= limit) return;
  if (isRecord(a) && isRecord(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const key of keys) walk(a[key], b[key], join(path, key), out, limit);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    for (const [index, item] of a.entries()) walk(item, b[index], `${path}[${index}]`, out, limit);
    return;
  }
  if (!sameLeaf(a, b)) out.push(path || '.');
}

function sameLeaf(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b) || isRecord(a) || isRecord(b)) return false;
  return a === b;
}

/** `spec.replicas`, or `data[app.properties]` for keys that are not plain identifiers. */
function join(path: string, key: string): string {
  if (/^[A-Za-z_$][\w$-]*$/.test(key)) return path === '' ? key : `${path}.${key}`;
  return `${path}[${key}]`;
}
