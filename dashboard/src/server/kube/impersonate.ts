/**
 * Acting as the signed-in user: a KubeConfig whose every request (API clients, watches, logs)
 * carries `Impersonate-User` and one `Impersonate-Group` header per group, so the API server
 * authorizes it with the user's RBAC, not the server's. client-node sends `Impersonate-User`
 * only and cannot repeat a header, so the headers are added by a dispatcher interceptor, below
 * fetch, where a header may take several values.
 */
import { type Cluster, KubeConfig } from '@kubernetes/client-node';
import type { Identity } from '../auth/identity.ts';

interface Dispatcher {
  dispatch(options: { headers?: unknown }, handler: unknown): boolean;
  compose(interceptor: (dispatch: Dispatcher['dispatch']) => Dispatcher['dispatch']): Dispatcher;
}

/** client-node's dispatcher factory (private in its types, called for every request). */
interface DispatcherFactory {
  createDispatcher(cluster: Cluster | null, agentOptions: object): Dispatcher | undefined;
}

const impersonationHeaders = /^impersonate-/i;

/** A KubeConfig that acts as `identity`, built on the server's own (which must impersonate). */
export function kubeConfigAs(base: KubeConfig, identity: Identity): KubeConfig {
  const { username, groups } = identity;
  if (!username) throw new Error('refusing to act for an empty identity');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: base.clusters,
    users: base.users,
    contexts: base.contexts,
    currentContext: base.currentContext,
  });
  const factory = kc as unknown as DispatcherFactory;
  const create = factory.createDispatcher.bind(kc);
  factory.createDispatcher = (cluster, agentOptions) => {
    const dispatcher = create(cluster, agentOptions);
    if (!dispatcher)
      throw new Error(
        `the cluster ${cluster?.server ?? ''} has no certificate authority in the kubeconfig: the dashboard needs one to act for users`,
      );
    return dispatcher.compose((dispatch) => (options, handler) => {
      const headers: Record<string, string | string[]> = {};
      for (const [name, value] of Object.entries(
        (options.headers ?? {}) as Record<string, string | string[]>,
      ))
        if (!impersonationHeaders.test(name)) headers[name] = value;
      headers['impersonate-user'] = username;
      if (groups.length > 0) headers['impersonate-group'] = [...groups];
      return dispatch({ ...options, headers }, handler);
    });
  };
  return kc;
}
