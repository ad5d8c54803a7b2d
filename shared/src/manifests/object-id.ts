/**
 * The one object id used in every message, inventory and log line: `group/Kind/namespace/name`,
 * with the group left out for the core group and the namespace left out for cluster-scoped
 * objects. `apps/Deployment/web/api`, `ConfigMap/web/settings`, `Namespace/web`,
 * `rbac.authorization.k8s.io/ClusterRole/admin`.
 *
 * A Kind always starts with an uppercase letter and a group or namespace never does (both are
 * lowercase DNS names), so the 2-, 3- and 4-segment forms can be told apart without a lookup.
 */

/** What identifies an object, without its API version (ids do not carry one). */
export interface ObjectKey {
  /** API group; `''` for the core group. */
  group: string;
  kind: string;
  /** Absent for cluster-scoped objects. */
  namespace?: string;
  name: string;
}

/** An object's identity plus the API version it was written in. */
export interface ObjectRef extends ObjectKey {
  version: string;
}

/** The part of a Kubernetes object that identifies it. */
export interface ObjectHeader {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string | undefined };
}

/** The group of an `apiVersion`: `apps/v1` → `apps`, `v1` → `''`. */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.lastIndexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The version of an `apiVersion`: `apps/v1` → `v1`, `v1` → `v1`. */
export function versionOf(apiVersion: string): string {
  return apiVersion.slice(apiVersion.lastIndexOf('/') + 1);
}

/** The reference of an object; an empty namespace counts as none. */
export function refOf(obj: ObjectHeader): ObjectRef {
  const ref: ObjectRef = {
    group: groupOf(obj.apiVersion),
    version: versionOf(obj.apiVersion),
    kind: obj.kind,
    name: obj.metadata.name,
  };
  if (obj.metadata.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** The canonical id of an object: `group/Kind/namespace/name` minus the empty parts. */
export function objectId(key: ObjectKey): string {
  const parts = [key.group, key.kind, key.namespace ?? '', key.name];
  return parts.filter((part) => part !== '').join('/');
}

/**
 * Reads an id written by {@link objectId}. Returns `undefined` when the text is not one (wrong
 * number of segments, an empty segment, or a Kind where none can be).
 */
export function parseObjectId(id: string): ObjectKey | undefined {
  const parts = id.split('/');
  if (parts.some((part) => part === '')) return undefined;
  const [a = '', b = '', c = '', d = ''] = parts;
  switch (parts.length) {
    case 2:
      return isKind(a) && !isKind(b) ? { group: '', kind: a, name: b } : undefined;
    case 3:
      if (isKind(a) && !isKind(b)) return { group: '', kind: a, namespace: b, name: c };
      if (!isKind(a) && isKind(b)) return { group: a, kind: b, name: c };
      return undefined;
    case 4:
      return !isKind(a) && isKind(b) && !isKind(c)
        ? { group: a, kind: b, namespace: c, name: d }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * Orders objects by group, Kind, namespace (cluster-scoped first), then name, comparing code
 * units so the order does not depend on the locale. Use it for every list that is logged,
 * stored or compared.
 */
export function compareObjectKeys(a: ObjectKey, b: ObjectKey): number {
  return (
    compareText(a.group, b.group) ||
    compareText(a.kind, b.kind) ||
    compareText(a.namespace ?? '', b.namespace ?? '') ||
    compareText(a.name, b.name)
  );
}

/** Code-unit comparison of two strings: `-1`, `0` or `1`. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** Whether a segment is a Kind: Kinds start with an uppercase ASCII letter. */
function isKind(segment: string): boolean {
  return /^[A-Z]/.test(segment);
}
