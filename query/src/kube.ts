/**
 * The kube boundary of the query layer: list, get and patch Applications, with the kubeconfig
 * found as `kubectl` finds it (`--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`).
 */
import {
  ApiException,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node';
import { QueryError } from './errors.ts';

export { QueryError, type QueryFailure, queryFailures } from './errors.ts';

/** Where the Applications are served. */
export const applicationResource = {
  group: 'kustodian.dev',
  version: 'v1alpha1',
  plural: 'applications',
} as const;

/** What the query layer needs of the API server. */
export interface ApplicationsApi {
  list(namespace: string | undefined): Promise<RawApplication[]>;
  /** One LIST and its resourceVersion, to watch from. */
  snapshot(namespace: string | undefined): Promise<ApplicationSnapshot>;
  get(namespace: string, name: string): Promise<RawApplication>;
  /** A JSON merge patch of one Application. */
  patch(namespace: string, name: string, patch: Record<string, unknown>): Promise<RawApplication>;
}

/** An Application as the API server returns it. */
export interface RawApplication {
  metadata: {
    name: string;
    namespace?: string;
    creationTimestamp?: string;
    annotations?: Record<string, string>;
    generation?: number;
  };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** The Applications of one LIST and the resourceVersion it was read at. */
export interface ApplicationSnapshot {
  items: RawApplication[];
  resourceVersion: string;
}

/** Where the kubeconfig comes from. */
export interface KubeconfigOptions {
  kubeconfig?: string | undefined;
  context?: string | undefined;
}

/** The kubeconfig and its default namespace. */
export function loadKubeconfig(options: KubeconfigOptions): { kc: KubeConfig; namespace: string } {
  const kc = new KubeConfig();
  const source = options.kubeconfig ?? process.env.KUBECONFIG ?? '~/.kube/config';
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (error) {
    const cause = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new QueryError(
      'kubeconfig',
      `kubeconfig ${source} cannot be read (${cause}): pass --kubeconfig or set KUBECONFIG`,
    );
  }
  if (options.context) {
    if (!kc.getContextObject(options.context))
      throw new QueryError(
        'kubeconfig',
        `context ${options.context} is not in the kubeconfig ${source}: pick one of ${
          kc
            .getContexts()
            .map((c) => c.name)
            .join(', ') || '(none)'
        }`,
      );
    kc.setCurrentContext(options.context);
  }
  const context = kc.getContextObject(kc.getCurrentContext());
  return { kc, namespace: context?.namespace ?? 'default' };
}

/** The {@link ApplicationsApi} of a kubeconfig. */
export function applicationsApi(kc: KubeConfig): ApplicationsApi {
  const api = kc.makeApiClient(CustomObjectsApi);
  const server = kc.getCurrentCluster()?.server ?? 'the API server';
  const { group, version, plural } = applicationResource;
  const guard = async <T>(
    verb: string,
    what: string,
    namespace: string | undefined,
    call: () => Promise<T>,
  ): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      throw translate(error, verb, what, namespace, server);
    }
  };
  const snapshot = (namespace: string | undefined) =>
    guard('list', 'applications.kustodian.dev', namespace, async () => {
      const body = (
        namespace
          ? await api.listNamespacedCustomObject({ group, version, plural, namespace })
          : await api.listClusterCustomObject({ group, version, plural })
      ) as { items: RawApplication[]; metadata?: { resourceVersion?: string } };
      return { items: body.items, resourceVersion: body.metadata?.resourceVersion ?? '' };
    });
  return {
    list: async (namespace) => (await snapshot(namespace)).items,
    snapshot,
    get: (namespace, name) =>
      guard(
        'get',
        `Application ${namespace}/${name}`,
        namespace,
        async () =>
          (await api.getNamespacedCustomObject({
            group,
            version,
            plural,
            namespace,
            name,
          })) as RawApplication,
      ),
    patch: (namespace, name, body) =>
      guard(
        'patch',
        `Application ${namespace}/${name}`,
        namespace,
        async () =>
          (await api.patchNamespacedCustomObject(
            { group, version, plural, namespace, name, body },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          )) as RawApplication,
      ),
  };
}

function translate(
  error: unknown,
  verb: string,
  what: string,
  namespace: string | undefined,
  server: string,
): QueryError {
  const where = namespace ? `in namespace ${namespace}` : 'in all namespaces';
  if (error instanceof ApiException) {
    if (error.code === 404)
      return new QueryError(
        'not-found',
        `${what} not found ${where}: check the name and the namespace (-n), or list them with \`kustodian get -A\``,
      );
    if (error.code === 403)
      return new QueryError(
        'forbidden',
        `${what}: not allowed to ${verb} applications.kustodian.dev ${where}: ask for RBAC permission "${verb}" on "applications.kustodian.dev"`,
      );
    if (error.code === 401)
      return new QueryError(
        'unauthorized',
        `${what}: the API server at ${server} rejected the credentials: renew them in the kubeconfig`,
      );
    return new QueryError('other', `${what}: ${verb} failed with HTTP ${error.code}`);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (
    /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ECONNRESET|fetch failed/.test(message) ||
    (error as { code?: string })?.code
  )
    return new QueryError(
      'unreachable',
      `${what}: the API server at ${server} is unreachable (${message.split('\n')[0]}): check the kubeconfig context and the network`,
    );
  return new QueryError('other', `${what}: ${verb} failed: ${message.split('\n')[0]}`);
}
