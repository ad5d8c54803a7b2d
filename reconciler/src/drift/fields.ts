/**
 * Field paths as server-side apply tracks them. `metadata.managedFields[].fieldsV1` is a tree of
 * `f:<field>` (a map field), `k:{...}` / `v:...` / `i:<n>` (an element of a list) and `.` (the
 * map itself); this module flattens such trees, and desired objects, into comparable paths.
 *
 * Lists are compared as a whole: a path stops at the list field (`spec.template.spec.containers`),
 * because matching list elements of a desired object to `k:` keys needs the schema's merge keys.
 * That errs on the side of reporting: another manager editing any container of a list we set is
 * drift.
 */
import { isRecord } from '../kube/object.ts';

/** A field path, segments joined by a separator that cannot occur in field names. */
export type FieldPath = string;

const separator = '\u0000';

/** The leaf paths of a `fieldsV1` tree, cut at list elements; `.` (map ownership) is ignored. */
export function fieldsV1Paths(fields: unknown): Set<FieldPath> {
  const paths = new Set<FieldPath>();
  const walk = (node: unknown, prefix: string[]): void => {
    if (!isRecord(node)) return;
    const keys = Object.keys(node);
    // `{}` is a field owned as a whole; `{".": {}}` only says the map exists.
    if (keys.length === 0 && prefix.length > 0) paths.add(prefix.join(separator));
    const children = keys.filter((key) => key !== '.');
    for (const key of children) {
      if (key.startsWith('f:')) walk(node[key], [...prefix, key.slice(2)]);
      else if (prefix.length > 0) paths.add(prefix.join(separator));
    }
  };
  walk(fields, []);
  return paths;
}

/**
 * The leaf paths of the fields an object sets, the way an apply of it would own them: maps are
 * walked, lists and scalars are leaves. `apiVersion`, `kind`, `metadata.name`,
 * `metadata.namespace` and `status` are left out (identity, and not applied).
 */
export function objectPaths(obj: Record<string, unknown>): Set<FieldPath> {
  const paths = new Set<FieldPath>();
  const walk = (node: unknown, prefix: string[]): void => {
    if (!isRecord(node) || Object.keys(node).length === 0) {
      paths.add(prefix.join(separator));
      return;
    }
    for (const [key, value] of Object.entries(node)) walk(value, [...prefix, key]);
  };
  const { apiVersion: _v, kind: _k, status: _s, metadata, ...rest } = obj;
  const { name: _n, namespace: _ns, ...meta } = isRecord(metadata) ? metadata : {};
  for (const [key, value] of Object.entries(rest)) walk(value, [key]);
  for (const [key, value] of Object.entries(meta)) walk(value, ['metadata', key]);
  return paths;
}

/** The paths of `candidates` that overlap `owned`: equal, inside one, or containing one. */
export function overlapping(
  candidates: Iterable<FieldPath>,
  owned: ReadonlySet<FieldPath>,
): FieldPath[] {
  const prefixes = new Set<FieldPath>();
  for (const path of owned) {
    const parts = path.split(separator);
    for (let end = 1; end <= parts.length; end++) prefixes.add(parts.slice(0, end).join(separator));
  }
  const found: FieldPath[] = [];
  for (const path of candidates) {
    const parts = path.split(separator);
    const inside = parts.some((_, index) => owned.has(parts.slice(0, index + 1).join(separator)));
    if (inside || prefixes.has(path)) found.push(path);
  }
  return found.sort();
}

/** A path as people read it: `data.mode`, `spec.template.spec.containers`. */
export function formatPath(path: FieldPath): string {
  return path.split(separator).join('.');
}

/** The segments of a path. */
export function segmentsOf(path: FieldPath): string[] {
  return path.split(separator);
}

/** The value at `path` in `obj` (`undefined` when any step is missing). */
export function valueAt(obj: unknown, path: FieldPath): unknown {
  let node: unknown = obj;
  for (const segment of segmentsOf(path)) {
    if (!isRecord(node)) return undefined;
    node = node[segment];
  }
  return node;
}

/**
 * `obj` without the fields at `paths`; maps left empty by a removal go too, so that what stays
 * claims nothing of what was removed. The other fields are shared with `obj`, not copied.
 */
export function withoutPaths<T extends Record<string, unknown>>(
  obj: T,
  paths: readonly FieldPath[],
): T {
  let result: Record<string, unknown> = obj;
  for (const path of paths) result = removed(result, segmentsOf(path)) ?? {};
  return result as T;
}

/** `node` without the field at `segments`: `undefined` when nothing is left of it. */
function removed(
  node: Record<string, unknown>,
  segments: readonly string[],
): Record<string, unknown> | undefined {
  const [head, ...rest] = segments;
  if (head === undefined || !(head in node)) return node;
  const { [head]: child, ...others } = node;
  if (rest.length > 0 && isRecord(child)) {
    const kept = removed(child, rest);
    if (kept === child) return node;
    if (kept !== undefined) return { ...others, [head]: kept };
  } else if (rest.length > 0) {
    return node;
  }
  return Object.keys(others).length > 0 ? others : undefined;
}
