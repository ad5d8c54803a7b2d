/**
 * What runs where: the timelines of an image or a commit (app commit → bump commit → fetched →
 * applied → healthy, each with its state, time and the time since the step before) and the
 * environment × Application matrix (revision, app commit, image tags, health, Ready, since),
 * both as the query layer computes them for the CLI. Server-rendered pages with GET forms; they
 * need no script.
 */
import { durationText, shortCommits } from '@kustodian/query/format';
import { cellState, cellsAt, type Matrix, type MatrixCell } from '@kustodian/query/matrix';
import type { StepState, Timeline, TimelineStep } from '@kustodian/query/timeline';
import type { TraceHit } from '@kustodian/query/trace';
import { html } from 'htm/preact';
import type { VNode } from 'preact';
import { statusOf } from '../shared/list-query.ts';
import { ago, shortCommit, shortRevision } from './format.ts';

/** The badge colour of each step state, the list's own. */
const stateBadge: Record<StepState, string> = {
  done: 'ready',
  pending: 'progressing',
  failed: 'failing',
  unknown: 'suspended',
};

/** `3m ago` in a `<time>` with the recorded instant, `-` when none is recorded. */
function when(at: string, now: number): VNode | string {
  return at ? html`<time datetime=${at} title=${at}>${ago(at, now)} ago</time>` : '-';
}

export function TracePage(props: {
  target: string;
  timelines: Timeline[];
  hits: TraceHit[];
  denied: string[];
  problem: string;
  now: number;
}): VNode {
  const { timelines, hits, now } = props;
  return html`<section aria-labelledby="trace-title">
    <h1 id="trace-title">Trace</h1>
    <form class="filters" method="get" action="/trace" role="search">
      <label>Image or commit <input name="target" value=${props.target} size="40" placeholder="ghcr.io/acme/web:1.4.3 or 3f2c1ab" /></label>
      <button type="submit">Trace</button>
    </form>
    ${props.problem ? html`<p class="notice" role="alert">${props.problem}</p>` : ''}
    ${props.denied.map((d) => html`<p class="notice">${d}</p>`)}
    ${props.target && !props.problem && timelines.length === 0 ? html`<p>No Application you can see runs ${props.target}.</p>` : ''}
    ${timelines.map((t) => {
      const id = `${t.application.namespace}/${t.application.name}`;
      const running = hits.filter(
        (h) =>
          h.application.namespace === t.application.namespace &&
          h.application.name === t.application.name,
      );
      return html`<article class="trace" aria-label=${id}>
        <h2><a href=${`/applications/${id}`}>${id}</a> <span class=${`badge ${stateBadge[t.state]}`}>${t.state}</span><span class="muted"> ${t.cluster} · config commit <code>${shortRevision(t.revision || t.commit)}</code></span></h2>
        ${running.map((h) => html`<p class="muted">${h.object.kind}/${h.object.name} · ${h.container} · <code>${h.image}</code></p>`)}
        <ol class="timeline" aria-label=${`Steps of ${id}`}>
          ${t.steps.map((s) => StepItem(s, t, now))}
        </ol>
      </article>`;
    })}
  </section>`;
}

function StepItem(s: TimelineStep, t: Timeline, now: number): VNode {
  const after = s.afterMs === null ? '' : ` (${durationText(s.afterMs)} after the step before)`;
  const run = s.step === 'app-commit' && t.workflowRun;
  return html`<li><strong>${s.step.replace('-', ' ')}</strong> <span class=${`badge ${stateBadge[s.state]}`}>${s.state}</span> ${when(s.at, now)}<span class="muted">${after}</span>${s.detail ? ` · ${shortCommits(s.detail)}` : ''}${run ? html` · <a href=${t.workflowRun}>workflow run</a>` : ''}</li>`;
}

export function MatrixPage(props: { matrix: Matrix; denied: string[]; now: number }): VNode {
  const { matrix, now } = props;
  return html`<section aria-labelledby="matrix-title">
    <h1 id="matrix-title">Environments</h1>
    <p class="muted">Environment: the label kustodian.dev/environment, else the overlay directory of the source path, else the cluster.</p>
    ${props.denied.map((d) => html`<p class="notice">${d}</p>`)}
    <div class="table-wrap"><table>
      <caption class="visually-hidden">Applications by environment</caption>
      <thead><tr><th scope="col">Application</th>${matrix.environments.map((e) => html`<th scope="col">${e.name}</th>`)}</tr></thead>
      <tbody>${
        matrix.applications.length === 0
          ? html`<tr><td colspan=${matrix.environments.length + 1} class="empty">No Application.</td></tr>`
          : matrix.applications.map(
              (row) =>
                html`<tr><th scope="row">${row.name}${row.group ? html`<br /><span class="muted">${row.group}</span>` : ''}</th>${matrix.environments.map(
                  (e) =>
                    html`<td>${cellsAt(matrix, row.name, e.key).map((c) => Cell(c, now))}</td>`,
                )}</tr>`,
            )
      }</tbody>
    </table></div>
  </section>`;
}

function Cell(c: MatrixCell, now: number): VNode {
  const id = `${c.object.namespace}/${c.object.name}`;
  return html`<div class="cell"><a href=${`/applications/${id}`}>${id}</a> <span class=${`badge ${statusOf(c)}`}>${cellState(c)}</span><br /><code>${shortRevision(c.revision)}</code>${c.appCommit ? html` · app <code>${c.appRepository ? `${c.appRepository}@` : ''}${shortCommit(c.appCommit)}</code>` : ''}<br /><span class="muted">${c.tags === null ? 'images not read' : `images ${c.tags.join(', ') || '-'}`} · Ready ${c.ready} · ${c.health} · since ${c.since ? html`${when(c.since, now)}` : '-'}</span></div>`;
}
