/**
 * The pods of an Application's workloads: the Pods whose chain of controller owners (a
 * Deployment's ReplicaSets, a CronJob's Jobs, a StatefulSet, a DaemonSet, a Job) reaches an
 * object of the inventory. Pure, over live objects the caller listed.
 */
import type { InventoryRef } from './inventory.ts';
import type { LiveObject } from './objects.ts';

/** One pod to read logs from, with the inventory object it belongs to. */
export interface WorkloadPod {
  namespace: string;
  name: string;
  node: string;
  /** `Kind/name` of the inventory object that owns it (through ReplicaSets, Jobs). */
  owner: string;
  containers: string[];
}

function controllerOf(obj: LiveObject): string | undefined {
  const refs = obj.metadata.ownerReferences ?? [];
  return (refs.find((o) => o.controller) ?? refs[0])?.uid;
}

/**
 * The pods among `owned` (Pods, ReplicaSets, Jobs of the workloads' namespaces) owned by one of
 * `workloads` (live inventory objects with their refs), sorted by namespace and name. An
 * inventory Pod is its own workload.
 */
export function podsOfWorkloads(
  workloads: readonly { ref: InventoryRef; live: LiveObject }[],
  owned: readonly LiveObject[],
): WorkloadPod[] {
  const roots = new Map<string, string>();
  for (const { ref, live } of workloads)
    if (live.metadata.uid) roots.set(live.metadata.uid, `${ref.kind}/${ref.name}`);
  const byUid = new Map(owned.flatMap((o) => (o.metadata.uid ? [[o.metadata.uid, o]] : [])));
  const rootOf = (obj: LiveObject, depth: number): string | undefined => {
    const uid = obj.metadata.uid;
    if (uid && roots.has(uid)) return roots.get(uid);
    const owner = controllerOf(obj);
    if (!owner || depth > 4) return undefined;
    if (roots.has(owner)) return roots.get(owner);
    const parent = byUid.get(owner);
    return parent ? rootOf(parent, depth + 1) : undefined;
  };
  const pods = [...owned, ...workloads.map((w) => w.live)].filter((o) => o.kind === 'Pod');
  const seen = new Set<string>();
  const result: WorkloadPod[] = [];
  for (const pod of pods) {
    const owner = rootOf(pod, 0);
    const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
    if (!owner || seen.has(key)) continue;
    seen.add(key);
    const spec = pod.spec as
      | { nodeName?: string; containers?: { name: string }[]; initContainers?: { name: string }[] }
      | undefined;
    result.push({
      namespace: pod.metadata.namespace ?? '',
      name: pod.metadata.name,
      node: spec?.nodeName ?? '',
      owner,
      containers: [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].map((c) => c.name),
    });
  }
  return result.sort(
    (a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name),
  );
}
