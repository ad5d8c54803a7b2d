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

/** A condition of the Application's status. */
export interface ConditionView {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
}

/** One past sync with its duration. */
export interface HistoryView {
  revision: string;
  sourceCommit: string;
  result: string;
  reason: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
}

/** An event about the Application or one of its objects. */
export interface EventView {
  type: string;
  reason: string;
  object: string;
  message: string;
  count: number;
  lastSeen: string;
}

/** The detail page of one Application. */
export interface DetailView {
  application: ApplicationSummary;
  /** `Kustodian-Source-Repository` of the applied commit, and its workflow run. */
  source: { repository: string; commit: string; workflowRun: string };
  conditions: ConditionView[];
  history: HistoryView[];
  tree: import('../shared/tree-view.ts').KindGroup[];
  treeTotal: number;
  events: EventView[];
  /** Workloads of the inventory (`Kind/name`), whose pods have logs. */
  workloads: string[];
  allowed: AllowedActions;
  resourceVersion: string;
  now: number;
}

/** The pods' logs of one workload. */
export interface LogsView {
  logs: { pod: string; container: string; text: string; error?: string }[];
}
