/**
 * Reads what {@link buildMatrix} needs of one cluster: the Applications (one LIST) and, for the
 * images, their inventories' workloads with one LIST per kind and namespace the inventories
 * name (not a GET per workload: ten Applications with a Deployment each in one namespace cost
 * one request). A kind and namespace the user may not list is skipped and named in `denied`;
 * its cells show no images rather than wrong ones.
 */
import { inventoryRefs, isWorkloadKind } from './inventory.ts';
import { type ApplicationsApi, QueryError, type RawApplication } from './kube.ts';
import {
  buildMatrix,
  type ClusterApplications,
  defaultMatrixLabels,
  type Matrix,
  type MatrixLabels,
} from './matrix.ts';
import type { LiveObject, ObjectsApi } from './objects.ts';

/** What to read of one cluster. */
export interface ClusterReadOptions {
  /** The namespace of the Applications; undefined for all. */
  namespace: string | undefined;
  /** The cluster's name, as the environments show it. */
  cluster: string;
  /** Read the workloads for the images (default true); false makes the one LIST only. */
  images?: boolean;
}

/** What to read, and the labels that name environments and applications. */
export interface MatrixReadOptions extends ClusterReadOptions {
  labels?: MatrixLabels;
}

/** One cluster's part of a matrix, the requests it took, and what could not be read (RBAC). */
export interface ClusterReadResult {
  cluster: ClusterApplications;
  requests: number;
  denied: string[];
}

/** The matrix, the requests it took, and what could not be read (RBAC). */
export interface MatrixResult {
  matrix: Matrix;
  requests: number;
  denied: string[];
}

/** Reads the Applications (and their workloads) of one cluster into a matrix. */
export async function readMatrix(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  options: MatrixReadOptions,
): Promise<MatrixResult> {
  const { cluster, requests, denied } = await readCluster(apps, objects, options);
  return {
    matrix: buildMatrix([cluster], options.labels ?? defaultMatrixLabels),
    requests,
    denied,
  };
}

/**
 * Reads one cluster's part of a matrix; {@link buildMatrix} over the parts of several clusters
 * (one kubeconfig context each) makes one matrix of them all.
 */
export async function readCluster(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  options: ClusterReadOptions,
): Promise<ClusterReadResult> {
  const applications = await apps.list(options.namespace);
  if (options.images === false)
    return { cluster: { cluster: options.cluster, applications }, requests: 1, denied: [] };
  const { workloads, unread, requests, denied } = await readWorkloadsByList(objects, applications);
  return {
    cluster: { cluster: options.cluster, applications, workloads, unread },
    requests: 1 + requests,
    denied,
  };
}

/** The inventories' workloads by inventory id, one LIST per apiVersion, kind and namespace. */
export async function readWorkloadsByList(
  objects: ObjectsApi,
  list: readonly RawApplication[],
): Promise<{
  workloads: Map<string, LiveObject>;
  unread: Set<string>;
  requests: number;
  denied: string[];
}> {
  // id of every workload wanted, grouped by what one LIST returns.
  const groups = new Map<
    string,
    { apiVersion: string; kind: string; namespace: string; ids: Map<string, string> }
  >();
  for (const app of list)
    for (const ref of inventoryRefs(app)) {
      if (!isWorkloadKind(ref.kind) || !ref.namespace) continue;
      const key = `${ref.apiVersion} ${ref.kind} ${ref.namespace}`;
      const group = groups.get(key) ?? {
        apiVersion: ref.apiVersion,
        kind: ref.kind,
        namespace: ref.namespace,
        ids: new Map(),
      };
      group.ids.set(ref.name, ref.id);
      groups.set(key, group);
    }
  const workloads = new Map<string, LiveObject>();
  const unread = new Set<string>();
  const denied: string[] = [];
  await Promise.all(
    [...groups.values()].map(async (group) => {
      try {
        for (const obj of await objects.list(group.apiVersion, group.kind, group.namespace)) {
          const id = group.ids.get(obj.metadata.name);
          if (id) workloads.set(id, obj);
        }
      } catch (error) {
        if (!(error instanceof QueryError && error.failure === 'forbidden')) throw error;
        denied.push(error.message);
        for (const id of group.ids.values()) unread.add(id);
      }
    }),
  );
  return { workloads, unread, requests: groups.size, denied: denied.sort() };
}
