/** What the server hands the client: the first paint's data, and the API's answers. */
import type { ApplicationSummary } from '@kustodian/query/applications';
import type { ListPage } from '../shared/list-query.ts';

/** The actions a user may take in one namespace. */
export interface AllowedActions {
  sync: boolean;
  suspend: boolean;
  resume: boolean;
}

/** One page of the list as the API serves it. */
export interface ListView {
  page: ListPage;
  /** The resourceVersion to follow live changes from. */
  resourceVersion: string;
  /** The allowed actions per namespace shown on the page. */
  allowed: Record<string, AllowedActions>;
  /** Namespaces the user could not list (RBAC), when a namespace filter named one. */
  forbidden: string[];
  /** Milliseconds since the epoch at which the page was read. */
  now: number;
}

/** The signed-in user, as the page shows them. */
export interface Viewer {
  username: string;
  groups: readonly string[];
  csrfToken: string;
}

/** A change as the live stream sends it. */
export interface LiveChange {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  application: ApplicationSummary;
}
