/**
 * The detail page of one Application: summary and actions, conditions, the object tree (grouped
 * by kind, capped) with health and drift, the diff of the next sync (on demand), the sync
 * history, Events and pod logs. Rendered by the server for the first paint and hydrated by the
 * client, which keeps it live and loads the diff and logs when asked.
 */
import type { ApplicationDiff } from '@kustodian/query/diff-run';
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { statusOf } from '../shared/list-query.ts';
import type { KindGroup, ShownNode } from '../shared/tree-view.ts';
import { ago, shortCommit, shortRevision } from './format.ts';
import type { AllowedActions, DetailView, LogsView } from './model.ts';

/** Something loaded on demand. */
export type Loaded<T> =
  | { state: 'idle' }
  | { state: 'loading' }
  | { state: 'done'; data: T }
  | { state: 'error'; message: string };

export interface DetailProps {
  view: DetailView;
  live: string;
  diff?: Loaded<ApplicationDiff>;
  logs?: Loaded<LogsView>;
  onAction?: (action: keyof AllowedActions) => void;
  /** Reads the Application and its objects again. */
  onRefresh?: () => void;
  onDiff?: () => void;
  onLogs?: (workload: string) => void;
}

function duration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function node(n: ShownNode): VNode {
  const id = `${n.kind}/${n.namespace ? `${n.namespace}/` : ''}${n.name}`;
  return html`<li>
    <span class="object"><code>${id}</code></span>
    <span class=${`badge health-${n.health}`}>${n.health}</span>
    ${n.drift !== 'Owned' ? html`<span class=${`badge drift-${n.drift}`}>${n.drift}</span>` : ''}
    ${n.note ? html`<span class="muted">${n.note}</span>` : ''}
    ${n.healthMessage && n.health !== 'Current' ? html`<span class="muted">${n.healthMessage}</span>` : ''}
    ${
      n.children.length > 0 || n.hiddenChildren > 0
        ? html`<ul>${n.children.map(node)}${n.hiddenChildren > 0 ? html`<li class="muted">and ${n.hiddenChildren} more</li>` : ''}</ul>`
        : ''
    }
  </li>`;
}

function group(g: KindGroup): VNode {
  const health = Object.entries(g.health)
    .map(([h, count]) => `${count} ${h}`)
    .join(', ');
  return html`<section class="kind-group" aria-label=${`${g.kind} objects`}>
    <h3>${g.kind} <span class="muted">(${g.total}: ${health}${g.drifted > 0 ? `; ${g.drifted} drifted` : ''})</span></h3>
    <ul class="tree">${g.nodes.map(node)}${g.hidden > 0 ? html`<li class="muted">and ${g.hidden} more ${g.kind} objects</li>` : ''}</ul>
  </section>`;
}

function diffSection(props: DetailProps): VNode {
  const diff = props.diff ?? { state: 'idle' };
  return html`<section aria-labelledby="diff-title">
    <h2 id="diff-title">Diff (live vs desired)</h2>
    <p><button type="button" onClick=${props.onDiff} disabled=${diff.state === 'loading'}>${diff.state === 'done' ? 'Compute again' : 'Compute the diff'}</button>
    <span class="muted"> a server-side dry run of the next sync, as you</span></p>
    ${diff.state === 'loading' ? html`<p role="status">computing…</p>` : ''}
    ${diff.state === 'error' ? html`<p class="notice" role="alert">${diff.message}</p>` : ''}
    ${
      diff.state === 'done'
        ? html`<p role="status" id="diff-summary">At ${shortRevision(diff.data.revision)}: ${
            Object.entries(diff.data.summary)
              .filter(([, n]) => n > 0)
              .map(([a, n]) => `${n} ${a}`)
              .join(', ') || 'nothing'
          }</p>
        <ul class="diffs">${diff.data.objects.map(
          (o) => html`<li>
            <details open=${o.action !== 'unchanged' && diff.data.objects.length <= 10}>
              <summary><span class=${`badge action-${o.action}`}>${o.action}</span> <code>${o.id}</code>${o.paths.length > 0 && o.action === 'update' ? html` <span class="muted">${o.paths.slice(0, 5).join(', ')}</span>` : ''}</summary>
              ${o.message ? html`<p class="muted">${o.message}</p>` : ''}
              ${o.diff ? html`<pre class="diff">${o.diff.split('\n').map((line) => html`<span class=${line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : ''}>${line}\n</span>`)}</pre>` : html`<p class="muted">no change</p>`}
            </details>
          </li>`,
        )}</ul>`
        : ''
    }
  </section>`;
}

function logsSection(props: DetailProps): VNode {
  const { view } = props;
  const logs = props.logs ?? { state: 'idle' };
  return html`<section aria-labelledby="logs-title">
    <h2 id="logs-title">Pod logs</h2>
    ${
      view.workloads.length === 0
        ? html`<p class="muted">No workload in the inventory.</p>`
        : html`<form class="logs-form" onSubmit=${(event: Event) => {
            event.preventDefault();
            const select = (
              event.currentTarget as unknown as {
                elements: { namedItem(n: string): { value: string } | null };
              }
            ).elements.namedItem('workload');
            props.onLogs?.(select?.value ?? '');
          }}>
          <label>Workload <select name="workload">${view.workloads.map((w) => html`<option value=${w}>${w}</option>`)}</select></label>
          <button type="submit">Show logs</button>
        </form>`
    }
    ${logs.state === 'loading' ? html`<p role="status">reading…</p>` : ''}
    ${logs.state === 'error' ? html`<p class="notice" role="alert">${logs.message}</p>` : ''}
    ${
      logs.state === 'done'
        ? logs.data.logs.length === 0
          ? html`<p class="muted">No pod.</p>`
          : logs.data.logs.map(
              (l) => html`<section class="log" aria-label=${`${l.pod}/${l.container}`}>
              <h3><code>${l.pod}/${l.container}</code></h3>
              ${l.error ? html`<p class="notice">${l.error}</p>` : html`<pre class="log-text">${l.text || '(empty)'}</pre>`}
            </section>`,
            )
        : ''
    }
  </section>`;
}

/** The whole page. */
export function ApplicationDetail(props: DetailProps): VNode {
  const { view, live } = props;
  const app = view.application;
  const id = `${app.namespace}/${app.name}`;
  const status = statusOf(app);
  return html`<article aria-labelledby="app-title">
    <p><a href=${`/?namespace=${app.namespace}`}>← Applications in ${app.namespace}</a></p>
    <div class="title-row">
      <h1 id="app-title">${id}</h1>
      <span class=${`badge ${status}`}>${status}</span>
      <span class=${`live ${live}`} role="status">${live}</span>
    </div>
    <div class="app-actions">
      <button type="button" onClick=${props.onRefresh}>Refresh</button>
      ${view.allowed.sync ? html`<button type="button" onClick=${() => props.onAction?.('sync')}>Sync</button>` : ''}
      ${view.allowed.suspend && !app.suspended ? html`<button type="button" onClick=${() => props.onAction?.('suspend')}>Suspend</button>` : ''}
      ${view.allowed.resume && app.suspended ? html`<button type="button" onClick=${() => props.onAction?.('resume')}>Resume</button>` : ''}
    </div>
    <dl class="summary">
      <dt>Ready</dt><dd>${app.ready}${app.reason ? ` (${app.reason})` : ''}</dd>
      <dt>Health</dt><dd>${app.health}</dd>
      <dt>Revision</dt><dd><code>${shortRevision(app.revision)}</code></dd>
      <dt>Source commit</dt><dd>${view.source.repository ? `${view.source.repository}@` : ''}<code>${shortCommit(view.source.commit || app.sourceCommit)}</code></dd>
      <dt>Repository</dt><dd><code>${app.repository || '-'}</code></dd>
      <dt>Age</dt><dd>${ago(app.createdAt, view.now)}</dd>
      <dt>Last sync</dt><dd>${ago(app.lastSyncAt, view.now)}</dd>
      <dt>Message</dt><dd class="message">${app.message || '-'}</dd>
    </dl>

    <section aria-labelledby="conditions-title">
      <h2 id="conditions-title">Conditions</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Reason</th><th scope="col">Message</th><th scope="col">Since</th></tr></thead>
        <tbody>${view.conditions.length === 0 ? html`<tr><td colspan="5" class="empty">None yet.</td></tr>` : view.conditions.map((c) => html`<tr><td>${c.type}</td><td>${c.status}</td><td>${c.reason}</td><td class="message">${c.message}</td><td>${ago(c.lastTransitionTime, view.now)}</td></tr>`)}</tbody>
      </table></div>
    </section>

    <section aria-labelledby="objects-title">
      <h2 id="objects-title">Objects <span class="muted">(${view.treeTotal})</span></h2>
      ${view.tree.length === 0 ? html`<p class="muted">No object applied yet.</p>` : view.tree.map(group)}
    </section>

    ${diffSection(props)}

    <section aria-labelledby="history-title">
      <h2 id="history-title">History</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Revision</th><th scope="col">Source commit</th><th scope="col">Result</th><th scope="col">Finished</th><th scope="col">Duration</th></tr></thead>
        <tbody>${view.history.length === 0 ? html`<tr><td colspan="5" class="empty">No sync yet.</td></tr>` : view.history.map((h) => html`<tr><td><code>${shortRevision(h.revision)}</code></td><td><code>${shortCommit(h.sourceCommit)}</code></td><td>${h.result}${h.reason ? ` (${h.reason})` : ''}</td><td>${ago(h.finishedAt, view.now)} ago</td><td>${duration(h.durationMs)}</td></tr>`)}</tbody>
      </table></div>
    </section>

    <section aria-labelledby="events-title">
      <h2 id="events-title">Events</h2>
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Type</th><th scope="col">Reason</th><th scope="col">Object</th><th scope="col">Message</th><th scope="col">Count</th><th scope="col">Last seen</th></tr></thead>
        <tbody>${view.events.length === 0 ? html`<tr><td colspan="6" class="empty">No event.</td></tr>` : view.events.map((e) => html`<tr><td>${e.type}</td><td>${e.reason}</td><td><code>${e.object}</code></td><td class="message">${e.message}</td><td>${e.count}</td><td>${ago(e.lastSeen, view.now)}</td></tr>`)}</tbody>
      </table></div>
    </section>

    ${logsSection(props)}
  </article>`;
}
