/**
 * The Applications list as a query: filter (namespace, status, repository, text), sort and page.
 * Pure, and shared by the server (which pages) and the client (which decides whether a live
 * change touches the page it shows).
 */
import type { ApplicationSummary } from '@kustodian/query/applications';

/** The statuses a person filters by, most urgent first. */
export const listStatuses = ['failing', 'progressing', 'suspended', 'ready'] as const;
export type ListStatus = (typeof listStatuses)[number];

/** The columns the list sorts by. */
export const sortKeys = ['name', 'namespace', 'status', 'age', 'lastSync'] as const;
export type SortKey = (typeof sortKeys)[number];

/** The largest page a client may ask for. */
export const maxPageSize = 500;

/** One request for a page of the list, parsed. */
export interface ListQuery {
  namespace: string;
  status: ListStatus | '';
  repository: string;
  text: string;
  sort: SortKey;
  descending: boolean;
  page: number;
  pageSize: number;
}

/** One page of the list and how many Applications match in all. */
export interface ListPage {
  items: ApplicationSummary[];
  total: number;
  query: ListQuery;
}

/** The status of one Application, as the list shows and filters it. */
export function statusOf(
  app: Pick<ApplicationSummary, 'suspended' | 'ready' | 'health'>,
): ListStatus {
  if (app.suspended) return 'suspended';
  if (app.ready === 'False' || app.health === 'Degraded') return 'failing';
  if (app.ready === 'True' && (app.health === 'Healthy' || app.health === 'NotChecked'))
    return 'ready';
  return 'progressing';
}

/** Reads a query from URL parameters; anything unknown falls back to the default. */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const status = params.get('status') ?? '';
  const sort = params.get('sort') ?? 'namespace';
  const page = Number.parseInt(params.get('page') ?? '1', 10);
  const size = Number.parseInt(params.get('size') ?? '50', 10);
  return {
    namespace: (params.get('namespace') ?? '').trim(),
    status: (listStatuses as readonly string[]).includes(status) ? (status as ListStatus) : '',
    repository: (params.get('repository') ?? '').trim(),
    text: (params.get('q') ?? '').trim(),
    sort: (sortKeys as readonly string[]).includes(sort) ? (sort as SortKey) : 'namespace',
    descending: params.get('dir') === 'desc',
    page: Number.isFinite(page) && page > 0 ? page : 1,
    pageSize: Number.isFinite(size) && size > 0 ? Math.min(size, maxPageSize) : 50,
  };
}

/** The URL parameters of a query, defaults left out (the inverse of {@link parseListQuery}). */
export function listQueryParams(query: ListQuery): URLSearchParams {
  const params = new URLSearchParams();
  if (query.namespace) params.set('namespace', query.namespace);
  if (query.status) params.set('status', query.status);
  if (query.repository) params.set('repository', query.repository);
  if (query.text) params.set('q', query.text);
  if (query.sort !== 'namespace') params.set('sort', query.sort);
  if (query.descending) params.set('dir', 'desc');
  if (query.page !== 1) params.set('page', String(query.page));
  if (query.pageSize !== 50) params.set('size', String(query.pageSize));
  return params;
}

/** Whether one Application passes the query's filters. */
export function matches(query: ListQuery, app: ApplicationSummary): boolean {
  if (query.namespace && app.namespace !== query.namespace) return false;
  if (query.status && statusOf(app) !== query.status) return false;
  if (query.repository && !app.repository.includes(query.repository)) return false;
  if (query.text) {
    const text = query.text.toLowerCase();
    const haystack = `${app.namespace}/${app.name} ${app.message} ${app.revision} ${app.sourceCommit}`;
    if (!haystack.toLowerCase().includes(text)) return false;
  }
  return true;
}

const statusRank = Object.fromEntries(listStatuses.map((s, i) => [s, i])) as Record<
  ListStatus,
  number
>;

function compare(key: SortKey, a: ApplicationSummary, b: ApplicationSummary): number {
  const byName = a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
  switch (key) {
    case 'name':
      return a.name.localeCompare(b.name) || byName;
    case 'namespace':
      return byName;
    case 'status':
      return statusRank[statusOf(a)] - statusRank[statusOf(b)] || byName;
    case 'age':
      // Oldest first: the order of creation.
      return a.createdAt.localeCompare(b.createdAt) || byName;
    case 'lastSync':
      return b.lastSyncAt.localeCompare(a.lastSyncAt) || byName;
  }
}

/** Filters, sorts and cuts one page; a page past the end is the last page. */
export function pageOf(query: ListQuery, apps: readonly ApplicationSummary[]): ListPage {
  const kept = apps.filter((app) => matches(query, app));
  kept.sort((a, b) => (query.descending ? -1 : 1) * compare(query.sort, a, b));
  const pages = Math.max(1, Math.ceil(kept.length / query.pageSize));
  const page = Math.min(query.page, pages);
  const start = (page - 1) * query.pageSize;
  return {
    items: kept.slice(start, start + query.pageSize),
    total: kept.length,
    query: { ...query, page },
  };
}
