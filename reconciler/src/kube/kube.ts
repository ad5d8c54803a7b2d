/**
 * The `Kube` boundary: the handful of API-server verbs the reconciler's engine uses. Apply,
 * inventory, prune, health and drift take a `Kube`; only `client.ts` implements it over HTTP.
 */
import type { ResourceInfo } from './discovery.ts';
import type { KubeObject, KubeRef } from './object.ts';

/** The field manager of every write, as `metadata.managedFields` records it. */
export { fieldManager } from '@kustodian/shared/apply/ownership';

/** Options of {@link Kube.apply}. */
export interface ApplyRequestOptions {
  /** Server-side dry run (`dryRun=All`): validated, defaulted, admitted, not stored. */
  dryRun?: boolean;
  /** Take over fields owned by other managers (`force=true`); default true. */
  force?: boolean;
  /** Apply to a subresource, such as `status`. */
  subresource?: 'status';
  signal?: AbortSignal;
}

/** `propagationPolicy` of a delete. */
export const propagationPolicies = ['Background', 'Foreground', 'Orphan'] as const;
export type PropagationPolicy = (typeof propagationPolicies)[number];

/** Options of {@link Kube.delete}. */
export interface DeleteRequestOptions {
  /** Delete only if the live object still has this uid (a recreated object is left alone). */
  uid?: string;
  /** Default `Background`: dependents are collected after the object is gone. */
  propagation?: PropagationPolicy;
  dryRun?: boolean;
  signal?: AbortSignal;
}

/**
 * One operation of a JSON Patch (RFC 6902). A `test` that fails makes the server refuse the
 * whole patch (HTTP 422), which is how a patch says "only if the object is still as I saw it".
 */
export type JsonPatchOperation =
  | { op: 'test' | 'add' | 'replace'; path: string; value: unknown }
  | { op: 'remove'; path: string };

/** Options of {@link Kube.patch}. */
export interface PatchRequestOptions {
  signal?: AbortSignal;
}

/** What a delete found: the object was there (and is being deleted), or was already gone. */
export const deleteOutcomes = ['deleted', 'notFound'] as const;
export type DeleteOutcome = (typeof deleteOutcomes)[number];

/** Options of {@link Kube.list} and {@link Kube.watch}. */
export interface ListOptions {
  /** A label selector, such as `app.kubernetes.io/managed-by=kustodian`. */
  labelSelector?: string;
  /** Only this namespace; every namespace when absent. */
  namespace?: string;
  /**
   * Read one page of at most this many objects and stop (for `list`): `limit: 1` learns the
   * collection's current resourceVersion, to watch from, without reading the collection.
   */
  limit?: number;
  signal?: AbortSignal;
}

/** The objects of a list and the resourceVersion to watch from. */
export interface ObjectList {
  items: KubeObject[];
  resourceVersion: string;
}

/** Types of watch events (`ERROR` events become thrown errors). */
export const watchEventTypes = ['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK'] as const;
export type WatchEventType = (typeof watchEventTypes)[number];

/** One change seen by a watch. */
export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

/** Options of {@link Kube.watch}. */
export interface WatchOptions extends ListOptions {
  /** Start after this resourceVersion (from a list); absent means "from now, with ADDED for all". */
  resourceVersion?: string;
  /** Ask the server to end the watch after this long (it then needs restarting). */
  timeoutSeconds?: number;
}

/** The API-server verbs the reconciler uses. */
export interface Kube {
  /** How `kind` in `apiVersion` is served (plural, scope); see {@link Discovery}. */
  resourceFor(apiVersion: string, kind: string): Promise<ResourceInfo>;
  /**
   * The apiVersion in which `group` serves `kind` now (the preferred version first), or
   * `undefined` when no version of the group serves it: for objects whose version was retired.
   */
  servedApiVersion(group: string, kind: string): Promise<string | undefined>;
  /** The live object, or `undefined` when it does not exist. */
  get(ref: KubeRef, options?: { signal?: AbortSignal }): Promise<KubeObject | undefined>;
  /** Server-side apply as the `kustodian` field manager; returns what the server stored. */
  apply(obj: KubeObject, options?: ApplyRequestOptions): Promise<KubeObject>;
  /** Deletes an object; a missing object is `notFound`, not an error. */
  delete(ref: KubeRef, options?: DeleteRequestOptions): Promise<DeleteOutcome>;
  /**
   * Applies a JSON Patch to an existing object and returns it (`undefined` when it is gone: a
   * patch never creates). Used for the few fields apply cannot own safely, such as finalizers.
   */
  patch(
    ref: KubeRef,
    operations: readonly JsonPatchOperation[],
    options?: PatchRequestOptions,
  ): Promise<KubeObject | undefined>;
  /** Every object of a kind (all pages), with `apiVersion` and `kind` filled in. */
  list(apiVersion: string, kind: string, options?: ListOptions): Promise<ObjectList>;
  /**
   * Changes of a kind as they happen. Ends when the server closes the stream or `signal`
   * aborts; throws a `KubeApiError` on an `ERROR` event (410 Gone: list again).
   */
  watch(apiVersion: string, kind: string, options?: WatchOptions): AsyncIterable<WatchEvent>;
}

/** The service account a client acts as (`Impersonate-User`). */
export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

/** The user name of a service account: `system:serviceaccount:<namespace>:<name>`. */
export function serviceAccountUser(account: ServiceAccountRef): string {
  return `system:serviceaccount:${account.namespace}:${account.name}`;
}
