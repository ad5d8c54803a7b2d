/**
 * REST mapping: which resource (plural name, scope) serves a `Kind` of an `apiVersion`, learnt
 * from the server's discovery documents (`/api/v1`, `/apis/<group>/<version>`). Each document is
 * cached; a kind that is not in the cached document triggers one fresh read, so a CRD created a
 * moment ago is found without a restart.
 */
import { StepError } from '@kustodian/shared/errors';
import { groupOf, versionOf } from '@kustodian/shared/manifests/object-id';
import { isRecord } from './object.ts';

/** How a Kind is served. */
export interface ResourceInfo {
  group: string;
  version: string;
  kind: string;
  /** The plural resource name used in URLs: `deployments`. */
  plural: string;
  namespaced: boolean;
}

/** The resources of one group version by Kind; `undefined` when the server does not serve it. */
export type ResourceTable = ReadonlyMap<string, ResourceInfo> | undefined;

/** Reads one discovery document: `undefined` when the group version is not served (404). */
export type FetchResources = (apiVersion: string) => Promise<ResourceTable>;

/**
 * Reads the versions a group serves now, as apiVersions with the preferred one first;
 * `undefined` when the group is not served at all (404).
 */
export type FetchGroupVersions = (group: string) => Promise<readonly string[] | undefined>;

/** The server serves no such Kind in that apiVersion (even after a fresh read). */
export class UnknownKindError extends StepError {
  readonly apiVersion: string;
  readonly kind: string;
  /** The message without the step and object: `the server does not serve example.com/v1; ...`. */
  readonly why: string;

  constructor(apiVersion: string, kind: string, served: boolean) {
    const what = served
      ? `the server has no resource of kind ${kind} in ${apiVersion}`
      : `the server does not serve ${apiVersion}`;
    const why = `${what}; is its CRD installed?`;
    super('discover', `${apiVersion}/${kind}`, why);
    this.name = 'UnknownKindError';
    this.apiVersion = apiVersion;
    this.kind = kind;
    this.why = why;
  }
}

/** A cache of discovery documents, shared by every client of one server. */
export class Discovery {
  readonly #fetch: FetchResources;
  readonly #fetchGroup: FetchGroupVersions | undefined;
  readonly #cache = new Map<string, Promise<ResourceTable>>();

  constructor(fetch: FetchResources, fetchGroup?: FetchGroupVersions) {
    this.#fetch = fetch;
    this.#fetchGroup = fetchGroup;
  }

  /** The resource serving `kind` in `apiVersion`; throws {@link UnknownKindError} if none. */
  async resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const cached = this.#cache.get(apiVersion);
    if (cached) {
      const found = (await cached)?.get(kind);
      if (found) return found;
      // A miss: read the document again, unless another caller already started that.
      if (this.#cache.get(apiVersion) === cached) this.#cache.delete(apiVersion);
    }
    const table = await this.#load(apiVersion);
    const found = table?.get(kind);
    if (!found) throw new UnknownKindError(apiVersion, kind, table !== undefined);
    return found;
  }

  /**
   * The apiVersion in which `group` serves `kind` now: its preferred version if that serves
   * the kind, else the first other one that does; `undefined` only when no version of the
   * group serves it. The group's versions are always read afresh: this is asked when the
   * version an object was applied as has stopped being served.
   */
  async servedApiVersion(group: string, kind: string): Promise<string | undefined> {
    if (!this.#fetchGroup) throw new Error('this discovery cache cannot read API groups');
    const versions = (await this.#fetchGroup(group)) ?? [];
    for (const apiVersion of versions) {
      try {
        await this.resourceFor(apiVersion, kind);
        return apiVersion;
      } catch (error) {
        if (!(error instanceof UnknownKindError)) throw error;
      }
    }
    return undefined;
  }

  /** Forgets one cached document, or all of them. */
  invalidate(apiVersion?: string): void {
    if (apiVersion === undefined) this.#cache.clear();
    else this.#cache.delete(apiVersion);
  }

  #load(apiVersion: string): Promise<ResourceTable> {
    let pending = this.#cache.get(apiVersion);
    if (!pending) {
      pending = this.#fetch(apiVersion);
      this.#cache.set(apiVersion, pending);
      // A failed read is not cached: the next call tries again.
      pending.catch(() => {
        if (this.#cache.get(apiVersion) === pending) this.#cache.delete(apiVersion);
      });
    }
    return pending;
  }
}

/** The discovery path of an apiVersion: `/api/v1` or `/apis/<group>/<version>`. */
export function discoveryPath(apiVersion: string): string {
  const group = groupOf(apiVersion);
  return group === '' ? `/api/${apiVersion}` : `/apis/${group}/${versionOf(apiVersion)}`;
}

/** Reads an `APIGroup` (or, for the core group, `APIVersions`) body: preferred version first. */
export function readGroupVersions(group: string, body: unknown): string[] {
  if (!isRecord(body)) return [];
  if (group === '') {
    const versions = Array.isArray(body.versions) ? body.versions : [];
    return versions.filter((v): v is string => typeof v === 'string');
  }
  const listed = (Array.isArray(body.versions) ? body.versions : [])
    .map((v) => (isRecord(v) && typeof v.groupVersion === 'string' ? v.groupVersion : undefined))
    .filter((v): v is string => v !== undefined);
  const preferred = isRecord(body.preferredVersion)
    ? body.preferredVersion.groupVersion
    : undefined;
  return typeof preferred === 'string'
    ? [preferred, ...listed.filter((v) => v !== preferred)]
    : listed;
}

/** Reads an `APIResourceList` body into a table by Kind (subresources are left out). */
export function readResourceList(apiVersion: string, body: unknown): Map<string, ResourceInfo> {
  const table = new Map<string, ResourceInfo>();
  const resources = isRecord(body) && Array.isArray(body.resources) ? body.resources : [];
  for (const resource of resources) {
    if (!isRecord(resource)) continue;
    const { name, kind, namespaced } = resource;
    if (typeof name !== 'string' || typeof kind !== 'string' || name.includes('/')) continue;
    table.set(kind, {
      group: groupOf(apiVersion),
      version: versionOf(apiVersion),
      kind,
      plural: name,
      namespaced: namespaced === true,
    });
  }
  return table;
}

/**
 * The URL path of a resource: the collection (`name` absent), across all namespaces
 * (`namespace` absent for a namespaced resource), or one object, optionally a subresource.
 */
export function resourcePath(
  info: ResourceInfo,
  at: { namespace?: string | undefined; name?: string; subresource?: string } = {},
): string {
  const base = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
  const scope =
    info.namespaced && at.namespace ? `/namespaces/${encodeURIComponent(at.namespace)}` : '';
  const name = at.name === undefined ? '' : `/${encodeURIComponent(at.name)}`;
  const sub = at.subresource && at.name !== undefined ? `/${at.subresource}` : '';
  return `${base}${scope}/${info.plural}${name}${sub}`;
}
