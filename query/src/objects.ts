/**
 * The kube boundary for the objects of an inventory and the events about them: get one object,
 * list a kind in a namespace, list events. Implemented with client-node's generic object API.
 */
import {
  ApiException,
  CoreV1Api,
  type KubeConfig,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { QueryError } from './kube.ts';

/** A live object as the API server returns it. */
export interface LiveObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string;
    ownerReferences?: { kind: string; name: string; uid: string; controller?: boolean }[];
    managedFields?: { manager?: string; operation?: string; time?: string; subresource?: string }[];
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** An event, as `kubectl get events` shows it. */
export interface EventRecord {
  namespace: string;
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
  lastSeen: string;
}

/** What `tree` and `events` need of the API server. */
export interface ObjectsApi {
  /** The object, or undefined when it does not exist. */
  get(
    apiVersion: string,
    kind: string,
    namespace: string | undefined,
    name: string,
  ): Promise<LiveObject | undefined>;
  list(apiVersion: string, kind: string, namespace: string): Promise<LiveObject[]>;
  events(namespace: string): Promise<EventRecord[]>;
}

/** The {@link ObjectsApi} of a kubeconfig. */
export function objectsApi(kc: KubeConfig): ObjectsApi {
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const core = kc.makeApiClient(CoreV1Api);
  const server = kc.getCurrentCluster()?.server ?? 'the API server';
  return {
    get: async (apiVersion, kind, namespace, name) => {
      try {
        return (await objects.read({
          apiVersion,
          kind,
          metadata: { name, ...(namespace ? { namespace } : {}) },
        })) as unknown as LiveObject;
      } catch (error) {
        if (error instanceof ApiException && error.code === 404) return undefined;
        throw failure(
          error,
          'get',
          `${kind} ${namespace ? `${namespace}/` : ''}${name}`,
          resourceOf(apiVersion, kind),
          namespace,
          server,
        );
      }
    },
    list: async (apiVersion, kind, namespace) => {
      try {
        const list = await objects.list(apiVersion, kind, namespace);
        return list.items.map((item) => ({ ...item, apiVersion, kind }) as unknown as LiveObject);
      } catch (error) {
        throw failure(
          error,
          'list',
          `${kind} objects`,
          resourceOf(apiVersion, kind),
          namespace,
          server,
        );
      }
    },
    events: async (namespace) => {
      try {
        const list = await core.listNamespacedEvent({ namespace });
        return list.items.map((e) => ({
          namespace,
          type: e.type ?? '',
          reason: e.reason ?? '',
          object: `${e.involvedObject.kind ?? ''}/${e.involvedObject.name ?? ''}`,
          message: e.message ?? '',
          count: e.count ?? 1,
          lastSeen: String(e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp ?? ''),
        }));
      } catch (error) {
        throw failure(error, 'list', 'events', 'events', namespace, server);
      }
    },
  };
}

function resourceOf(apiVersion: string, kind: string): string {
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const plural = `${kind.toLowerCase()}${kind.endsWith('s') ? 'es' : 's'}`;
  return group ? `${plural}.${group}` : plural;
}

function failure(
  error: unknown,
  verb: string,
  what: string,
  resource: string,
  namespace: string | undefined,
  server: string,
): QueryError {
  const where = namespace ? `in namespace ${namespace}` : 'cluster-wide';
  if (error instanceof ApiException && error.code === 403)
    return new QueryError(
      'forbidden',
      `${what}: not allowed to ${verb} ${resource} ${where}: ask for RBAC permission "${verb}" on "${resource}"`,
    );
  if (error instanceof ApiException)
    return new QueryError('other', `${what}: ${verb} failed with HTTP ${error.code}`);
  const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
  return new QueryError(
    'unreachable',
    `${what}: the API server at ${server} is unreachable (${message}): check the kubeconfig context and the network`,
  );
}
