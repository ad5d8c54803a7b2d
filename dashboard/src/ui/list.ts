/**
 * The Applications list: filters, a sortable table and a pager. Rendered to a string by the
 * server for the first paint and hydrated by the client, which then keeps it live. Links and
 * the filter form work without JavaScript; the client turns them into in-page navigation.
 */
import type { ApplicationSummary } from '@kustodian/query/applications';
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import {
  type ListQuery,
  listQueryParams,
  listStatuses,
  type SortKey,
  statusOf,
} from '../shared/list-query.ts';
import { ago, shortCommit, shortRevision } from './format.ts';
import type { AllowedActions, ListView } from './model.ts';

/** What the list needs besides the data. */
export interface ListProps {
  view: ListView;
  /** `live`, `paused`, `reconnecting` or `offline`. */
  live: string;
  onAction?: (action: keyof AllowedActions, app: ApplicationSummary) => void;
}

/** The URL of the list for a query. */
export function listHref(query: ListQuery): string {
  const params = listQueryParams(query).toString();
  return params ? `/?${params}` : '/';
}

const columns: readonly { key: SortKey | undefined; label: string }[] = [
  { key: 'name', label: 'Application' },
  { key: 'status', label: 'Status' },
  { key: undefined, label: 'Health' },
  { key: undefined, label: 'Revision' },
  { key: undefined, label: 'Source commit' },
  { key: 'age', label: 'Age' },
  { key: 'lastSync', label: 'Last sync' },
  { key: undefined, label: 'Message' },
];

function sortHeader(query: ListQuery, key: SortKey | undefined, label: string): VNode {
  if (!key) return html`<th scope="col">${label}</th>`;
  const active = query.sort === key;
  const next = { ...query, sort: key, descending: active && !query.descending, page: 1 };
  const sort = active ? (query.descending ? 'descending' : 'ascending') : undefined;
  return html`<th scope="col" aria-sort=${sort}>
    <a href=${listHref(next)} data-nav="">${label}${active ? (query.descending ? ' ▼' : ' ▲') : ''}</a>
  </th>`;
}

function row(app: ApplicationSummary, view: ListView, props: ListProps): VNode {
  const status = statusOf(app);
  const allowed = view.allowed[app.namespace];
  const id = `${app.namespace}/${app.name}`;
  return html`<tr data-app=${id}>
    <td><a href=${`/applications/${app.namespace}/${app.name}`}>${id}</a></td>
    <td><span class=${`badge ${status}`}>${status}</span>${app.ready === 'True' ? '' : html` <span class="muted">(${app.reason || app.ready})</span>`}</td>
    <td>${app.health}</td>
    <td><code>${shortRevision(app.revision)}</code></td>
    <td><code>${shortCommit(app.sourceCommit)}</code></td>
    <td>${ago(app.createdAt, view.now)}</td>
    <td>${ago(app.lastSyncAt, view.now)}</td>
    <td class="message">${app.message}</td>
    <td class="actions">
      ${allowed?.sync ? html`<button type="button" onClick=${() => props.onAction?.('sync', app)} aria-label=${`Sync ${id}`}>Sync</button>` : ''}
      ${allowed?.suspend && !app.suspended ? html`<button type="button" onClick=${() => props.onAction?.('suspend', app)} aria-label=${`Suspend ${id}`}>Suspend</button>` : ''}
      ${allowed?.resume && app.suspended ? html`<button type="button" onClick=${() => props.onAction?.('resume', app)} aria-label=${`Resume ${id}`}>Resume</button>` : ''}
    </td>
  </tr>`;
}

/** The filter form: a GET form, so it works before the client loads. */
function filters(query: ListQuery): VNode {
  return html`<form class="filters" method="get" action="/" role="search">
    <label>Namespace <input name="namespace" value=${query.namespace} size="12" /></label>
    <label>Status
      <select name="status" value=${query.status}>
        <option value="" selected=${query.status === ''}>any</option>
        ${listStatuses.map((s) => html`<option value=${s} selected=${query.status === s}>${s}</option>`)}
      </select>
    </label>
    <label>Repository <input name="repository" value=${query.repository} size="16" /></label>
    <label>Search <input type="search" name="q" value=${query.text} size="16" /></label>
    ${query.sort !== 'namespace' ? html`<input type="hidden" name="sort" value=${query.sort} />` : ''}
    ${query.descending ? html`<input type="hidden" name="dir" value="desc" />` : ''}
    <button type="submit">Filter</button>
  </form>`;
}

function pager(view: ListView): VNode {
  const { query, total, items } = view.page;
  const first = total === 0 ? 0 : (query.page - 1) * query.pageSize + 1;
  const last = first === 0 ? 0 : first + items.length - 1;
  const pages = Math.max(1, Math.ceil(total / query.pageSize));
  return html`<nav class="pager" aria-label="Pages">
    <span aria-live="polite" id="count">${first}–${last} of ${total}</span>
    ${query.page > 1 ? html`<a href=${listHref({ ...query, page: query.page - 1 })} data-nav="" rel="prev">Previous</a>` : ''}
    <span>page ${query.page} of ${pages}</span>
    ${query.page < pages ? html`<a href=${listHref({ ...query, page: query.page + 1 })} data-nav="" rel="next">Next</a>` : ''}
  </nav>`;
}

/** The whole list view. */
export function ApplicationsList(props: ListProps): VNode {
  const { view, live } = props;
  const { query, items } = view.page;
  return html`<section aria-labelledby="apps-title">
    <div class="title-row">
      <h1 id="apps-title">Applications</h1>
      <span class=${`live ${live}`} role="status">${live}</span>
    </div>
    ${filters(query)}
    ${view.forbidden.length > 0 ? html`<p class="notice" role="alert">Not allowed to list Applications in ${view.forbidden.join(', ')}: ask for RBAC permission "list" on "applications.kustodian.dev" there.</p>` : ''}
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Applications, ${view.page.total} in all</caption>
        <thead><tr>${columns.map((c) => sortHeader(query, c.key, c.label))}<th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          ${items.length === 0 ? html`<tr><td colspan="9" class="empty">No Application matches.</td></tr>` : items.map((app) => row(app, view, props))}
        </tbody>
      </table>
    </div>
    ${pager(view)}
  </section>`;
}
