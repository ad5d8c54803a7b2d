/**
 * What runs where: the trace of an image or a commit (app commit → bump commit → applied →
 * healthy, with times from the status) and the environment × Application matrix. Server-rendered
 * pages with GET forms; they need no script.
 */
import type { TraceHit } from '@kustodian/query/trace';
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { statusOf } from '../shared/list-query.ts';
import type { Matrix } from '../shared/matrix.ts';
import { ago, shortCommit, shortRevision } from './format.ts';

/** One hit with the times of its timeline. */
export interface TraceRow extends TraceHit {
  /** When the sync that applied the bump commit started and finished. */
  syncStartedAt: string;
  syncFinishedAt: string;
  /** Since when the Application has been Healthy (its condition), when it is. */
  healthySince: string;
}

export function TracePage(props: {
  target: string;
  rows: TraceRow[];
  denied: string[];
  problem: string;
  now: number;
}): VNode {
  const { rows, now } = props;
  return html`<section aria-labelledby="trace-title">
    <h1 id="trace-title">Trace</h1>
    <form class="filters" method="get" action="/trace" role="search">
      <label>Image or commit <input name="target" value=${props.target} size="40" placeholder="ghcr.io/acme/web:1.4.3 or 3f2c1ab" /></label>
      <button type="submit">Trace</button>
    </form>
    ${props.problem ? html`<p class="notice" role="alert">${props.problem}</p>` : ''}
    ${props.denied.map((d) => html`<p class="notice">${d}</p>`)}
    ${props.target && !props.problem && rows.length === 0 ? html`<p>No Application you can see runs ${props.target}.</p>` : ''}
    ${rows.map(
      (
        r,
      ) => html`<article class="trace" aria-label=${`${r.application.namespace}/${r.application.name} ${r.object.kind}/${r.object.name} ${r.container}`}>
        <h2><a href=${`/applications/${r.application.namespace}/${r.application.name}`}>${r.application.namespace}/${r.application.name}</a>
          <span class="muted"> ${r.object.kind}/${r.object.name} · ${r.container} · <code>${r.image}</code></span></h2>
        <ol class="timeline">
          <li><strong>app commit</strong> ${r.appRepository ? `${r.appRepository}@` : ''}<code>${shortCommit(r.appCommit)}</code>${r.workflowRun ? html` · <a href=${r.workflowRun}>workflow run</a>` : ''}</li>
          <li><strong>bump commit</strong> <code>${shortCommit(r.bumpCommit)}</code>${r.appliedCommit && r.appliedCommit !== r.bumpCommit ? html` <span class="muted">(now at <code>${shortCommit(r.appliedCommit)}</code>)</span>` : ''}</li>
          <li><strong>applied</strong> ${r.since ? `${ago(r.since, now)} ago` : '-'}${r.syncStartedAt && r.syncFinishedAt ? html` <span class="muted">(sync took ${Math.max(0, Math.round((Date.parse(r.syncFinishedAt) - Date.parse(r.syncStartedAt)) / 100) / 10)} s)</span>` : ''}</li>
          <li><strong>${r.healthy ? 'healthy' : r.health}</strong> ${r.healthy && r.healthySince ? `${ago(r.healthySince, now)} ago` : r.healthMessage}</li>
        </ol>
      </article>`,
    )}
  </section>`;
}

export function MatrixPage(props: { matrix: Matrix; now: number }): VNode {
  const { matrix } = props;
  return html`<section aria-labelledby="matrix-title">
    <h1 id="matrix-title">Environments</h1>
    <p class="muted">Environment: the label kustodian.dev/environment, else the overlay directory of the source path, else the namespace.</p>
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Applications by environment</caption>
      <thead><tr><th scope="col">Application</th>${matrix.environments.map((e) => html`<th scope="col">${e}</th>`)}</tr></thead>
      <tbody>${
        matrix.rows.length === 0
          ? html`<tr><td colspan=${matrix.environments.length + 1} class="empty">No Application.</td></tr>`
          : matrix.rows.map(
              (row) =>
                html`<tr><th scope="row">${row.application}</th>${matrix.environments.map(
                  (e) =>
                    html`<td>${(row.cells[e] ?? []).map(
                      (
                        app,
                      ) => html`<div class="cell"><a href=${`/applications/${app.namespace}/${app.name}`}>${app.namespace}/${app.name}</a>
            <span class=${`badge ${statusOf(app)}`}>${statusOf(app)}</span><br /><code>${shortRevision(app.revision)}</code>${app.sourceCommit ? html` · app <code>${shortCommit(app.sourceCommit)}</code>` : ''}</div>`,
                    )}</td>`,
                )}</tr>`,
            )
      }</tbody>
    </table></div>
  </section>`;
}
