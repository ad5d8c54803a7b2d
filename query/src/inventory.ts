/**
 * The objects of an Application's inventory as references the object API can read: the id the
 * reconciler wrote (`group/Kind/namespace/name`) plus its API version.
 */
import { parseObjectId } from '@kustodian/shared/manifests/object-id';
import type { RawApplication } from './kube.ts';

/** One inventory object, readable with {@link ObjectsApi.get}. */
export interface InventoryRef {
  id: string;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** The kinds whose pods the CLI follows (trace, logs): they carry a pod template. */
export const workloadKinds = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'Pod',
] as const;
export type WorkloadKind = (typeof workloadKinds)[number];

/** Whether `kind` is one of the {@link workloadKinds}. */
export function isWorkloadKind(kind: string): kind is WorkloadKind {
  return (workloadKinds as readonly string[]).includes(kind);
}

/** The inventory of `app` in its stored (sorted) order; unparsable ids are left out. */
export function inventoryRefs(app: RawApplication): InventoryRef[] {
  const entries =
    (app.status as { inventory?: { entries?: { id: string; version: string }[] } } | undefined)
      ?.inventory?.entries ?? [];
  return entries.flatMap((entry) => {
    const key = parseObjectId(entry.id);
    if (!key) return [];
    return [
      {
        id: entry.id,
        apiVersion: key.group ? `${key.group}/${entry.version}` : entry.version,
        kind: key.kind,
        ...(key.namespace ? { namespace: key.namespace } : {}),
        name: key.name,
      },
    ];
  });
}

/** The containers (init containers first) of a workload's pod template, or of a Pod. */
export function containersOf(obj: {
  kind: string;
  [key: string]: unknown;
}): { name: string; image: string }[] {
  type PodSpec = {
    containers?: { name: string; image?: string }[];
    initContainers?: { name: string; image?: string }[];
  };
  const spec = obj.spec as
    | (PodSpec & {
        template?: { spec?: PodSpec };
        jobTemplate?: { spec?: { template?: { spec?: PodSpec } } };
      })
    | undefined;
  const pod =
    obj.kind === 'Pod'
      ? spec
      : obj.kind === 'CronJob'
        ? spec?.jobTemplate?.spec?.template?.spec
        : spec?.template?.spec;
  return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].map((c) => ({
    name: c.name,
    image: c.image ?? '',
  }));
}
