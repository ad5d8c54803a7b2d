/**
 * Pod logs of an Application's workloads: find its pods through the inventory (see `pods.ts`),
 * then stream each container's log, line by line, through a small boundary
 * ({@link PodLogsApi}). A container whose log cannot be read (a node without a kubelet that
 * serves logs; a container not started, or one its node keeps no log of) is a per-pod failure
 * in the result; RBAC denial and a missing Application stop everything.
 */

import { type Readable, Writable } from 'node:stream';
import { ApiException, type KubeConfig, Log } from '@kubernetes/client-node';
import { type InventoryRef, inventoryRefs, isWorkloadKind } from './inventory.ts';
import { type ApplicationsApi, QueryError } from './kube.ts';
import type { LiveObject, ObjectsApi } from './objects.ts';
import { podsOfWorkloads, type WorkloadPod } from './pods.ts';

/** Reads one container's log; `onText` gets chunks as they arrive. */
export interface PodLogsApi {
  stream(
    pod: WorkloadPod,
    container: string,
    options: { follow: boolean; signal: AbortSignal; onText: (text: string) => void },
  ): Promise<void>;
}

/** The pods of `namespace/name`'s workloads, or of one inventory object (`Kind/name`). */
export async function applicationPods(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  namespace: string,
  name: string,
  object?: string,
): Promise<WorkloadPod[]> {
  const refs = inventoryRefs(await apps.get(namespace, name)).filter(
    (r) => isWorkloadKind(r.kind) && (!object || sameObject(r, object)),
  );
  if (object && refs.length === 0)
    throw new QueryError(
      'not-found',
      `Application ${namespace}/${name} has no workload ${object} in its inventory: see \`kustodian tree ${name} -n ${namespace}\``,
    );
  const workloads: { ref: InventoryRef; live: LiveObject }[] = [];
  for (const ref of refs) {
    const live = await objects.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
    if (live) workloads.push({ ref, live });
  }
  const owned: LiveObject[] = [];
  for (const ns of new Set(refs.flatMap((r) => (r.namespace ? [r.namespace] : [])))) {
    owned.push(...(await objects.list('v1', 'Pod', ns)));
    if (refs.some((r) => r.namespace === ns && r.kind !== 'Pod')) {
      owned.push(...(await objects.list('apps/v1', 'ReplicaSet', ns)));
      owned.push(...(await objects.list('batch/v1', 'Job', ns)));
    }
  }
  return podsOfWorkloads(workloads, owned);
}

/** `Deployment/web` (kind case-insensitive) names this inventory object. */
function sameObject(ref: InventoryRef, object: string): boolean {
  const [kind, ...rest] = object.split('/');
  return kind?.toLowerCase() === ref.kind.toLowerCase() && rest.join('/') === ref.name;
}

/** The {@link PodLogsApi} of a kubeconfig (client-node's `Log`, the `pods/log` subresource). */
export function podLogsApi(kc: KubeConfig): PodLogsApi {
  const log = new Log(kc);
  return {
    stream: async (pod, container, { follow, signal, onText }) => {
      const sink = new Writable({
        write(chunk: Buffer, _encoding, done) {
          onText(chunk.toString('utf8'));
          done();
        },
      });
      // client-node pipes the response body into the sink and leaves the body's errors
      // unhandled: an abort (SIGINT while following) or a dropped connection would crash the
      // process. The sink learns of the body from its 'pipe' event and takes its errors on.
      sink.on('pipe', (body: Readable) => body.on('error', (error) => sink.destroy(error)));
      // An abort ends the body with an error, so the sink never finishes: the abort itself
      // ends the wait.
      let stopped = () => {};
      const ended = new Promise<void>((resolve, reject) => {
        stopped = resolve;
        sink.on('finish', resolve);
        sink.on('error', reject);
      });
      if (signal.aborted) return;
      let controller: AbortController;
      try {
        controller = await log.log(pod.namespace, pod.name, container, sink, { follow });
      } catch (error) {
        throw logFailure(error, pod, container);
      }
      const stop = () => {
        controller.abort();
        stopped();
      };
      signal.addEventListener('abort', stop, { once: true });
      if (signal.aborted) stop();
      try {
        await ended;
      } catch (error) {
        if (!signal.aborted) throw logFailure(error, pod, container);
      } finally {
        signal.removeEventListener('abort', stop);
      }
    },
  };
}

/**
 * Why a container's log could not be read, naming the pod, its node and the verb. The pod was
 * just listed, so a 404 or a 5xx comes from its node: a node whose kubelet is gone answers so;
 * a 400 is the node's kubelet saying it has no log of the container (not started yet, or, on a
 * fake node, none configured). The client drops a 400's body, so the reason is not quoted.
 */
export function logFailure(error: unknown, pod: WorkloadPod, container: string): QueryError {
  const what = `pod ${pod.namespace}/${pod.name}`;
  const code = error instanceof ApiException ? error.code : undefined;
  if (code === 403)
    return new QueryError(
      'forbidden',
      `${what}: not allowed to get pods/log in namespace ${pod.namespace}: ask for RBAC permission "get" on "pods/log"`,
    );
  if (code === 401)
    return new QueryError('unauthorized', `${what}: the API server rejected the credentials`);
  const body =
    error instanceof ApiException ? (error.body as { message?: string } | undefined) : undefined;
  const detail =
    body?.message ??
    (code ? `HTTP ${code}` : error instanceof Error ? error.message : String(error));
  if (!pod.node)
    return new QueryError(
      'other',
      `${what} is not scheduled on a node yet: no logs of container ${container}`,
    );
  if (code === 400)
    return new QueryError(
      'other',
      `${what}: its node has no log of container ${container} (${detail}): the container has not started, or the node keeps no log of it`,
    );
  return new QueryError(
    'other',
    `${what} runs on node ${pod.node} without a kubelet that serves logs: no logs of container ${container} (${detail})`,
  );
}
