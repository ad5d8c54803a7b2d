/**
 * `/trace?target=IMAGE|COMMIT` and `/environments`: the query layer's timelines and matrix, the
 * same `kustodian trace --timeline` and `kustodian matrix` print, read as the user (only the
 * Applications and workloads their RBAC shows): cluster-wide when they may, else per namespace.
 */
import type { ServerResponse } from 'node:http';
import { QueryError } from '@kustodian/query/kube';
import { buildMatrix, type ClusterApplications } from '@kustodian/query/matrix';
import { readCluster } from '@kustodian/query/matrix-read';
import type { Timeline } from '@kustodian/query/timeline';
import { readTimeline } from '@kustodian/query/timeline-read';
import type { TraceHit } from '@kustodian/query/trace';
import { parseTraceTarget } from '@kustodian/query/trace';
import { clusterName } from '@kustodian/query/trace-read';
import { MatrixPage, TracePage } from '../../ui/where.ts';
import type { Session } from '../auth/sessions.ts';
import type { UserKube } from '../kube/users.ts';
import { type NamespaceLister, scopeOf } from '../kube/visible.ts';
import { viewerOf } from './list-routes.ts';
import { renderPage } from './page.ts';
import { sendHtml } from './respond.ts';

/** `read` over each namespace the user may list (one call when cluster-wide); a LIST denied since is skipped. */
async function perScope<T>(
  user: UserKube,
  listNamespaces: NamespaceLister,
  read: (namespace: string | undefined) => Promise<T>,
): Promise<{ results: T[]; denied: string[] }> {
  const scope = await scopeOf(user, listNamespaces);
  const denied: string[] = [];
  const results = await Promise.all(
    (scope ?? [undefined]).map((ns) =>
      read(ns).catch((error: unknown) => {
        if (!(error instanceof QueryError && error.failure === 'forbidden')) throw error;
        denied.push(error.message);
        return undefined;
      }),
    ),
  );
  return { results: results.filter((r) => r !== undefined), denied: denied.sort() };
}

export async function tracePage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  url: URL,
  listNamespaces: NamespaceLister,
): Promise<void> {
  const target = (url.searchParams.get('target') ?? '').trim();
  let timelines: Timeline[] = [];
  let hits: TraceHit[] = [];
  let denied: string[] = [];
  let problem = '';
  if (target) {
    const parsed = parseTraceTarget(target);
    if ('problem' in parsed) problem = parsed.problem;
    else {
      const read = await perScope(user, listNamespaces, (ns) =>
        readTimeline(user.api, user.objects, ns, parsed, clusterName(user.kc)),
      );
      timelines = read.results.flatMap((r) => r.timelines);
      hits = read.results.flatMap((r) => r.hits);
      denied = [...read.denied, ...read.results.flatMap((r) => r.denied)];
    }
  }
  sendHtml(
    res,
    200,
    renderPage({
      title: 'Trace',
      viewer: viewerOf(session),
      body: TracePage({ target, timelines, hits, denied, problem, now: Date.now() }),
    }),
  );
}

export async function matrixPage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  listNamespaces: NamespaceLister,
): Promise<void> {
  const cluster = clusterName(user.kc);
  const read = await perScope(user, listNamespaces, (namespace) =>
    readCluster(user.api, user.objects, { namespace, cluster }),
  );
  // One part per namespace read, of one cluster: buildMatrix puts them in the same columns.
  const parts: ClusterApplications[] = read.results.map((r) => r.cluster);
  sendHtml(
    res,
    200,
    renderPage({
      title: 'Environments',
      viewer: viewerOf(session),
      body: MatrixPage({
        matrix: buildMatrix(parts),
        denied: [...read.denied, ...read.results.flatMap((r) => r.denied)],
        now: Date.now(),
      }),
    }),
  );
}
