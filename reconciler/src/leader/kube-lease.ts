/**
 * {@link LeaseClient} over the API server: plain JSON GET, POST and PUT of one
 * `coordination.k8s.io/v1` Lease. It uses the raw transport rather than the `Kube` client,
 * because the election needs create and update with a resourceVersion precondition (server-side
 * apply would let two candidates both "create" the Lease), and because its few requests must
 * not queue behind the engine's rate limiter: a renewal stuck in a queue is a lost lease.
 */
import { randomUUID } from 'node:crypto';
import { KubeApiError, readStatus } from '../kube/errors.ts';
import type { HttpRequest, HttpResponse, Transport } from '../kube/http.ts';
import { isRecord } from '../kube/object.ts';
import type { LeaseClient, LeaseSpec, LeaseWrite, StoredLease } from './lease.ts';

/** The Lease the reconciler's replicas compete for, in their own namespace. */
export const leaderLeaseName = 'kustodian-reconciler';

/**
 * A candidate identity that is unique even when a pod restarts under the same name: the pod
 * (or host) name and a random suffix, as client-go builds it.
 */
export function candidateIdentity(name: string): string {
  return `${name}_${randomUUID()}`;
}

/** Which Lease. */
export interface LeaseRef {
  namespace: string;
  name: string;
}

/** Creates a client for one Lease. */
export function createLeaseClient(transport: Transport, ref: LeaseRef): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(ref.namespace)}/leases`;
  const path = `${collection}/${encodeURIComponent(ref.name)}`;
  const id = `coordination.k8s.io/Lease/${ref.namespace}/${ref.name}`;

  const send = async (step: string, request: HttpRequest): Promise<HttpResponse> => {
    try {
      return await transport.request(request);
    } catch (cause) {
      if (request.signal?.aborted) throw cause;
      const message = cause instanceof Error ? cause.message : String(cause);
      const status = { httpStatus: 0, reason: 'ConnectionFailed', message, causes: [] };
      throw new KubeApiError(step, id, status, { cause });
    }
  };
  const fail = (step: string, response: HttpResponse): never => {
    throw new KubeApiError(
      step,
      id,
      readStatus(response.status, response.statusText, response.body),
    );
  };
  const write = (step: string, response: HttpResponse): LeaseWrite => {
    if (response.status === 409) return { outcome: 'conflict' };
    if (response.status < 200 || response.status >= 300) return fail(step, response);
    return { outcome: 'written', lease: readLease(step, id, response.body) };
  };

  return {
    get: async (signal) => {
      const response = await send('get', { method: 'GET', path, ...(signal ? { signal } : {}) });
      if (response.status === 404) return undefined;
      if (response.status !== 200) return fail('get', response);
      return readLease('get', id, response.body);
    },
    create: async (spec, signal) => {
      const body = leaseObject({ name: ref.name, namespace: ref.namespace }, spec);
      const request: HttpRequest = { method: 'POST', path: collection, body };
      return write('create', await send('create', signal ? { ...request, signal } : request));
    },
    update: async (previous, spec, signal) => {
      const metadata = { ...previous.metadata, resourceVersion: previous.resourceVersion };
      const request: HttpRequest = { method: 'PUT', path, body: leaseObject(metadata, spec) };
      return write('update', await send('update', signal ? { ...request, signal } : request));
    },
  };
}

function leaseObject(metadata: Record<string, unknown>, spec: LeaseSpec): Record<string, unknown> {
  return { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata, spec };
}

/** Reads a Lease from a response body; the metadata is kept whole for the next update. */
function readLease(step: string, id: string, body: string): StoredLease {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  const metadata = isRecord(parsed) && isRecord(parsed.metadata) ? parsed.metadata : undefined;
  const resourceVersion = metadata?.resourceVersion;
  if (!isRecord(parsed) || !metadata || typeof resourceVersion !== 'string') {
    const status = { httpStatus: 200, reason: 'BadResponse', message: 'not a Lease', causes: [] };
    throw new KubeApiError(step, id, status);
  }
  const raw = isRecord(parsed.spec) ? parsed.spec : {};
  const spec: LeaseSpec = {};
  if (typeof raw.holderIdentity === 'string') spec.holderIdentity = raw.holderIdentity;
  if (typeof raw.leaseDurationSeconds === 'number')
    spec.leaseDurationSeconds = raw.leaseDurationSeconds;
  if (typeof raw.acquireTime === 'string') spec.acquireTime = raw.acquireTime;
  if (typeof raw.renewTime === 'string') spec.renewTime = raw.renewTime;
  if (typeof raw.leaseTransitions === 'number') spec.leaseTransitions = raw.leaseTransitions;
  const { managedFields: _dropped, ...kept } = metadata;
  return { spec, resourceVersion, metadata: kept };
}
