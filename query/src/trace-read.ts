/**
 * Reads what {@link traceTarget} needs: the Applications (one LIST) and the live workloads of
 * their inventories (one GET each), then traces. A workload the user may not read is skipped
 * and named in `denied`, so that a partial answer says what it could not see.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { inventoryRefs, isWorkloadKind } from './inventory.ts';
import { type ApplicationsApi, QueryError, type RawApplication } from './kube.ts';
import type { LiveObject, ObjectsApi } from './objects.ts';
import { type TraceHit, type TraceTarget, traceTarget } from './trace.ts';

/** The hits, and the workloads that could not be read (RBAC) as messages. */
export interface TraceResult {
  hits: TraceHit[];
  denied: string[];
}

/** The name of the kubeconfig's current cluster, as `trace` reports it. */
export function clusterName(kc: KubeConfig): string {
  return kc.getCurrentCluster()?.name ?? kc.getCurrentContext();
}

/** Traces `target` over the Applications of `namespace` (all namespaces when undefined). */
export async function readTrace(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  namespace: string | undefined,
  target: TraceTarget,
  cluster: string,
): Promise<TraceResult> {
  const list = await readApplications(apps, namespace);
  const { live, denied } = await readWorkloads(objects, list);
  return { hits: traceTarget(target, list, live, cluster), denied };
}

/** The Applications of `namespace` (all when undefined), by namespace and name: one LIST. */
export async function readApplications(
  apps: ApplicationsApi,
  namespace: string | undefined,
): Promise<RawApplication[]> {
  return (await apps.list(namespace)).sort(
    (a, b) =>
      (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') ||
      a.metadata.name.localeCompare(b.metadata.name),
  );
}

/**
 * The live workloads of the Applications' inventories by inventory id (one GET each), and
 * those the user may not read, as messages.
 */
export async function readWorkloads(
  objects: ObjectsApi,
  list: readonly RawApplication[],
): Promise<{ live: Map<string, LiveObject>; denied: string[] }> {
  const live = new Map<string, LiveObject>();
  const denied: string[] = [];
  for (const app of list) {
    const refs = inventoryRefs(app).filter((r) => isWorkloadKind(r.kind));
    await Promise.all(
      refs.map(async (ref) => {
        try {
          const obj = await objects.get(ref.apiVersion, ref.kind, ref.namespace, ref.name);
          if (obj) live.set(ref.id, obj);
        } catch (error) {
          if (error instanceof QueryError && error.failure === 'forbidden')
            denied.push(error.message);
          else throw error;
        }
      }),
    );
  }
  return { live, denied: denied.sort() };
}
