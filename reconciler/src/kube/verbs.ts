/**
 * The object verbs of the `Kube` client (get, apply, delete, list, watch) as requests over a
 * {@link Plumbing} that counts, rate-limits and sends them.
 */
import type { IncomingMessage } from 'node:http';
import type { Discovery } from './discovery.ts';
import { resourcePath } from './discovery.ts';
import { KubeApiError, readStatus } from './errors.ts';
import { type HttpRequest, type HttpResponse, readAll } from './http.ts';
import {
  type ApplyRequestOptions,
  type DeleteOutcome,
  type DeleteRequestOptions,
  fieldManager,
  type JsonPatchOperation,
  type Kube,
  type ListOptions,
  type ObjectList,
  type PatchRequestOptions,
  type WatchEvent,
  type WatchOptions,
} from './kube.ts';
import { idOf, isRecord, type KubeObject, type KubeRef, refOf } from './object.ts';
import type { RequestVerb } from './requests.ts';
import { readWatchEvents, withTypeMeta } from './watch.ts';

/** What a request is about, for its error message: the step and the object id. */
export interface Subject {
  step: string;
  id: string;
}

/** What the verbs need from the client. */
export interface Plumbing {
  /** Sends one counted, rate-limited request and reads the response. */
  call(verb: RequestVerb, subject: Subject, request: HttpRequest): Promise<HttpResponse>;
  /** Sends one counted, rate-limited GET and hands over the response stream. */
  stream(
    verb: RequestVerb,
    subject: Subject,
    request: Omit<HttpRequest, 'method'>,
  ): Promise<IncomingMessage>;
  /** The URL path of an object (or of its subresource). */
  locate(ref: KubeRef, subresource?: string): Promise<string>;
  discovery: Discovery;
}

/** Throws the server's `Status` unless the response is a success. */
export function check(subject: Subject, response: HttpResponse): void {
  if (response.status >= 200 && response.status < 300) return;
  const status = readStatus(response.status, response.statusText, response.body);
  throw new KubeApiError(subject.step, subject.id, status);
}

/**
 * Whether a response says the object does not exist: a 404 with a `Status` body. A 404 without
 * one (`404 page not found`) says the path is not served at all: a cached discovery document
 * still lists a version the server has stopped serving. That document is read again, which
 * throws `UnknownKindError` when the version no longer serves the kind, so a retired
 * version never passes for a deleted object.
 */
async function isMissing(p: Plumbing, ref: KubeRef, response: HttpResponse): Promise<boolean> {
  if (response.status !== 404) return false;
  if (isStatusBody(response.body)) return true;
  p.discovery.invalidate(ref.apiVersion);
  await p.discovery.resourceFor(ref.apiVersion, ref.kind);
  return true;
}

function isStatusBody(body: string): boolean {
  try {
    const parsed: unknown = JSON.parse(body);
    return isRecord(parsed) && parsed.kind === 'Status';
  } catch {
    return false;
  }
}

/** The object verbs over the plumbing. */
export function objectVerbs(
  p: Plumbing,
): Pick<Kube, 'get' | 'apply' | 'patch' | 'delete' | 'list' | 'watch'> {
  return {
    get: async (ref, options = {}) => {
      const subject = { step: 'get', id: idOf(ref) };
      const path = await p.locate(ref);
      const response = await p.call('get', subject, { method: 'GET', path, ...signalOf(options) });
      if (await isMissing(p, ref, response)) return undefined;
      check(subject, response);
      return JSON.parse(response.body) as KubeObject;
    },
    apply: (obj, options = {}) => applyObject(p, obj, options),
    patch: (ref, operations, options = {}) => patchObject(p, ref, operations, options),
    delete: (ref, options = {}) => deleteObject(p, ref, options),
    list: (apiVersion, kind, options = {}) => listObjects(p, apiVersion, kind, options),
    watch: (apiVersion, kind, options = {}) => watchObjects(p, apiVersion, kind, options),
  };
}

async function applyObject(
  p: Plumbing,
  obj: KubeObject,
  options: ApplyRequestOptions,
): Promise<KubeObject> {
  const dryRun = options.dryRun === true;
  const subject = { step: dryRun ? 'dry-run apply' : 'apply', id: idOf(obj) };
  const path = await p.locate(refOf(obj), options.subresource);
  // The server refuses an apply that carries managedFields.
  const { managedFields: _dropped, ...metadata } = obj.metadata;
  const response = await p.call(dryRun ? 'dryRunApply' : 'apply', subject, {
    method: 'PATCH',
    path,
    query: {
      fieldManager,
      force: options.force === false ? undefined : 'true',
      dryRun: dryRun ? 'All' : undefined,
    },
    body: { ...obj, metadata },
    contentType: 'application/apply-patch+yaml',
    ...signalOf(options),
  });
  check(subject, response);
  return JSON.parse(response.body) as KubeObject;
}

async function patchObject(
  p: Plumbing,
  ref: KubeRef,
  operations: readonly JsonPatchOperation[],
  options: PatchRequestOptions,
): Promise<KubeObject | undefined> {
  const subject = { step: 'patch', id: idOf(ref) };
  const path = await p.locate(ref);
  const response = await p.call('patch', subject, {
    method: 'PATCH',
    path,
    query: { fieldManager },
    body: operations,
    contentType: 'application/json-patch+json',
    ...signalOf(options),
  });
  if (await isMissing(p, ref, response)) return undefined;
  check(subject, response);
  return JSON.parse(response.body) as KubeObject;
}

async function deleteObject(
  p: Plumbing,
  ref: KubeRef,
  options: DeleteRequestOptions,
): Promise<DeleteOutcome> {
  const dryRun = options.dryRun === true;
  const subject = { step: dryRun ? 'dry-run delete' : 'delete', id: idOf(ref) };
  const path = await p.locate(ref);
  const response = await p.call(dryRun ? 'dryRunDelete' : 'delete', subject, {
    method: 'DELETE',
    path,
    body: {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      propagationPolicy: options.propagation ?? 'Background',
      ...(options.uid ? { preconditions: { uid: options.uid } } : {}),
      ...(dryRun ? { dryRun: ['All'] } : {}),
    },
    ...signalOf(options),
  });
  if (await isMissing(p, ref, response)) return 'notFound';
  check(subject, response);
  return 'deleted';
}

async function listObjects(
  p: Plumbing,
  apiVersion: string,
  kind: string,
  options: ListOptions,
): Promise<ObjectList> {
  const subject = { step: 'list', id: `${apiVersion}/${kind}` };
  const info = await p.discovery.resourceFor(apiVersion, kind);
  const path = resourcePath(info, { namespace: options.namespace });
  const items: KubeObject[] = [];
  let next: string | undefined;
  let resourceVersion = '';
  do {
    const response = await p.call('list', subject, {
      method: 'GET',
      path,
      query: {
        labelSelector: options.labelSelector,
        limit: String(options.limit ?? 500),
        continue: next,
      },
      ...signalOf(options),
    });
    check(subject, response);
    const body = JSON.parse(response.body) as { items?: Partial<KubeObject>[]; metadata?: unknown };
    for (const item of body.items ?? []) items.push(withTypeMeta(item, { apiVersion, kind }));
    const meta = isRecord(body.metadata) ? body.metadata : {};
    resourceVersion = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : '';
    next = typeof meta.continue === 'string' && meta.continue !== '' ? meta.continue : undefined;
  } while (next && options.limit === undefined);
  return { items, resourceVersion };
}

async function* watchObjects(
  p: Plumbing,
  apiVersion: string,
  kind: string,
  options: WatchOptions,
): AsyncGenerator<WatchEvent> {
  const subject = { step: 'watch', id: `${apiVersion}/${kind}` };
  const info = await p.discovery.resourceFor(apiVersion, kind);
  const response = await p.stream('watch', subject, {
    path: resourcePath(info, { namespace: options.namespace }),
    query: {
      watch: '1',
      allowWatchBookmarks: 'true',
      labelSelector: options.labelSelector,
      resourceVersion: options.resourceVersion,
      timeoutSeconds:
        options.timeoutSeconds === undefined ? undefined : String(options.timeoutSeconds),
    },
    ...signalOf(options),
  });
  if (response.statusCode !== 200) {
    const body = await readAll(response);
    check(subject, {
      status: response.statusCode ?? 0,
      statusText: response.statusMessage ?? '',
      body,
    });
  }
  yield* readWatchEvents(response, { apiVersion, kind }, options.signal);
}

function signalOf(options: { signal?: AbortSignal | undefined }): { signal?: AbortSignal } {
  return options.signal ? { signal: options.signal } : {};
}
