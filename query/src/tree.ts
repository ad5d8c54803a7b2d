/**
 * The inventory of an Application as a tree: every object it applied, with its live health
 * (the reconciler's kstatus rules) and drift state, and the objects its workloads own nested
 * below them (a Deployment's ReplicaSets, their Pods).
 *
 * Health uses the reconciler's pure kstatus rules (reconciler/src/health), imported by path so
 * that the query layer does not load the rest of the reconciler.
 */

import { parseObjectId } from '@kustodian/shared/manifests/object-id';
import { assess } from '../../reconciler/src/health/assess.ts';
import type { ApplicationsApi } from './kube.ts';
import { QueryError } from './kube.ts';
import type { LiveObject, ObjectsApi } from './objects.ts';

/** The field manager the reconciler applies with. */
export const reconcilerFieldManager = 'kustodian';

/** Whether the live object still is what the reconciler applied, as far as the API server tells. */
export const driftStates = ['InSync', 'Changed', 'Missing', 'Unknown', 'Owned'] as const;
export type DriftState = (typeof driftStates)[number];

/** One node of the tree. */
export interface TreeNode {
  kind: string;
  namespace?: string;
  name: string;
  health: string;
  healthMessage: string;
  drift: DriftState;
  /** Who changed it after the reconciler, when drift is Changed; or why health is Unknown. */
  note: string;
  children: TreeNode[];
}

const workloadKinds = new Set([
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
]);
const childKinds = [
  { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  { apiVersion: 'v1', kind: 'Pod' },
  { apiVersion: 'batch/v1', kind: 'Job' },
] as const;

/** The tree of `namespace/name`: one GET of the Application, one per object, one LIST per child kind. */
export async function applicationTree(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  namespace: string,
  name: string,
): Promise<TreeNode[]> {
  const app = await apps.get(namespace, name);
  const entries =
    (app.status as { inventory?: { entries?: { id: string; version: string }[] } } | undefined)
      ?.inventory?.entries ?? [];
  const refs = entries.flatMap((entry) => {
    const key = parseObjectId(entry.id);
    if (!key) return [];
    return [{ ...key, apiVersion: key.group ? `${key.group}/${entry.version}` : entry.version }];
  });
  const lives = await inBatches(refs, 16, async (ref) => {
    try {
      return { ref, live: await objects.get(ref.apiVersion, ref.kind, ref.namespace, ref.name) };
    } catch (error) {
      if (error instanceof QueryError && error.failure === 'forbidden')
        return { ref, live: undefined, denied: error.message };
      throw error;
    }
  });
  const namespaces = [
    ...new Set(
      refs
        .filter((r) => workloadKinds.has(r.kind) && r.namespace)
        .map((r) => r.namespace as string),
    ),
  ];
  const owned: LiveObject[] = [];
  const notes: string[] = [];
  for (const ns of namespaces) {
    for (const child of childKinds) {
      try {
        owned.push(...(await objects.list(child.apiVersion, child.kind, ns)));
      } catch (error) {
        if (error instanceof QueryError && error.failure === 'forbidden') notes.push(error.message);
        else throw error;
      }
    }
  }
  const byOwner = new Map<string, LiveObject[]>();
  for (const obj of owned) {
    const owner =
      obj.metadata.ownerReferences?.find((o) => o.controller) ?? obj.metadata.ownerReferences?.[0];
    if (!owner) continue;
    byOwner.set(owner.uid, [...(byOwner.get(owner.uid) ?? []), obj]);
  }
  const childrenOf = (obj: LiveObject, depth: number): TreeNode[] =>
    depth > 4 || !obj.metadata.uid
      ? []
      : (byOwner.get(obj.metadata.uid) ?? [])
          .sort(
            (a, b) =>
              a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name),
          )
          .map((child) => ({
            ...nodeOf(child, 'Owned', ''),
            children: childrenOf(child, depth + 1),
          }));
  return lives.map(({ ref, live, denied }) => {
    const base = {
      kind: ref.kind,
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      name: ref.name,
    };
    if (denied)
      return {
        ...base,
        health: 'Unknown',
        healthMessage: '',
        drift: 'Unknown',
        note: denied,
        children: [],
      };
    if (!live)
      return {
        ...base,
        health: 'NotFound',
        healthMessage: 'Resource not found',
        drift: 'Missing',
        note: '',
        children: [],
      };
    const { drift, note } = driftOf(live);
    return { ...nodeOf(live, drift, note), children: childrenOf(live, 0) };
  });
}

function nodeOf(live: LiveObject, drift: DriftState, note: string): TreeNode {
  const verdict = assess(live as never);
  return {
    kind: live.kind,
    ...(live.metadata.namespace ? { namespace: live.metadata.namespace } : {}),
    name: live.metadata.name,
    health: verdict.status,
    healthMessage: verdict.message,
    drift,
    note,
    children: [],
  };
}

/**
 * Changed when a manager other than the reconciler wrote the object's main resource after the
 * reconciler's last apply (status subresource writes by controllers do not count).
 */
export function driftOf(live: LiveObject): { drift: DriftState; note: string } {
  const fields = live.metadata.managedFields ?? [];
  const ours = fields.find((f) => f.manager === reconcilerFieldManager && !f.subresource);
  if (!ours) return { drift: 'Unknown', note: 'not applied by the reconciler' };
  const later = fields.filter(
    (f) =>
      f.manager !== reconcilerFieldManager && !f.subresource && (f.time ?? '') > (ours.time ?? ''),
  );
  if (later.length === 0) return { drift: 'InSync', note: '' };
  return { drift: 'Changed', note: `changed by ${later.map((f) => f.manager).join(', ')}` };
}

async function inBatches<T, R>(
  items: readonly T[],
  size: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += size)
    results.push(...(await Promise.all(items.slice(i, i + size).map(work))));
  return results;
}
