/**
 * The Applications a user may see, read as that user: one cluster-wide LIST when RBAC allows it,
 * else one LIST per namespace the user may list in (found by access reviews over the cluster's
 * namespaces, which the server itself lists). A namespace the user may not list shows nothing.
 */
import type { ApplicationSummary } from '@kustodian/query/applications';
import { QueryError } from '@kustodian/query/kube';
import type { UserKube } from './users.ts';

/** The server's own view of the namespaces, passed in. */
export type NamespaceLister = () => Promise<string[]>;

/** What one user sees. */
export interface Visible {
  items: ApplicationSummary[];
  /** The resourceVersion to watch from (the oldest of the LISTs, so that nothing is missed). */
  resourceVersion: string;
  /** The namespaces read, or undefined for cluster-wide. */
  namespaces: string[] | undefined;
  /** Namespaces asked for by name that RBAC hides. */
  forbidden: string[];
}

const scopeTtlMs = 30_000;

/** The namespaces a user may list Applications in, or undefined when cluster-wide. */
export async function scopeOf(
  user: UserKube,
  listNamespaces: NamespaceLister,
  now = Date.now(),
): Promise<string[] | undefined> {
  const cached = user.visibleNamespaces;
  if (cached && now - cached.at < scopeTtlMs) return cached.namespaces;
  let namespaces: string[] | undefined;
  if (!(await user.access.can('list', ''))) {
    const all = await listNamespaces();
    const allowed = await Promise.all(all.map((ns) => user.access.can('list', ns)));
    namespaces = all.filter((_, i) => allowed[i]);
  }
  user.visibleNamespaces = { at: now, namespaces };
  return namespaces;
}

/** Lists what the user sees, in `namespace` alone when given. */
export async function listVisible(
  user: UserKube,
  namespace: string,
  listNamespaces: NamespaceLister,
): Promise<Visible> {
  if (namespace) {
    try {
      const { items, resourceVersion } = await user.apps.snapshot(namespace);
      return { items, resourceVersion, namespaces: [namespace], forbidden: [] };
    } catch (error) {
      if (error instanceof QueryError && error.failure === 'forbidden')
        return { items: [], resourceVersion: '', namespaces: [], forbidden: [namespace] };
      throw error;
    }
  }
  const namespaces = await scopeOf(user, listNamespaces);
  if (!namespaces) {
    const { items, resourceVersion } = await user.apps.snapshot(undefined);
    return { items, resourceVersion, namespaces, forbidden: [] };
  }
  const lists = await Promise.all(
    namespaces.map((ns) =>
      user.apps.snapshot(ns).catch((error: unknown) => {
        if (error instanceof QueryError && error.failure === 'forbidden')
          return { items: [], resourceVersion: '' };
        throw error;
      }),
    ),
  );
  const versions = lists.map((l) => l.resourceVersion).filter(Boolean);
  return {
    items: lists.flatMap((l) => l.items),
    resourceVersion: versions.sort((a, b) => Number(a) - Number(b))[0] ?? '',
    namespaces,
    forbidden: [],
  };
}
