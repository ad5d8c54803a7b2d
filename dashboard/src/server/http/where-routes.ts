/**
 * `/trace?target=IMAGE|COMMIT` and `/environments`: the query layer's trace and the matrix, read
 * as the user (only Applications and workloads their RBAC shows).
 */
import type { ServerResponse } from 'node:http';
import { summarize } from '@kustodian/query/applications';
import { parseTraceTarget } from '@kustodian/query/trace';
import { clusterName, readTrace } from '@kustodian/query/trace-read';
import { matrixOf, placementOf } from '../../shared/matrix.ts';
import { MatrixPage, TracePage, type TraceRow } from '../../ui/where.ts';
import type { Session } from '../auth/sessions.ts';
import type { UserKube } from '../kube/users.ts';
import { type NamespaceLister, scopeOf } from '../kube/visible.ts';
import { viewerOf } from './list-routes.ts';
import { renderPage } from './page.ts';
import { sendHtml } from './respond.ts';

/** Every raw Application the user may list. */
async function visibleRaw(user: UserKube, listNamespaces: NamespaceLister) {
  const namespaces = await scopeOf(user, listNamespaces);
  if (!namespaces) return user.api.list(undefined);
  return (await Promise.all(namespaces.map((ns) => user.api.list(ns).catch(() => [])))).flat();
}

export async function tracePage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  url: URL,
  listNamespaces: NamespaceLister,
): Promise<void> {
  const target = (url.searchParams.get('target') ?? '').trim();
  let rows: TraceRow[] = [];
  let denied: string[] = [];
  let problem = '';
  if (target) {
    const parsed = parseTraceTarget(target);
    if ('problem' in parsed) problem = parsed.problem;
    else {
      const scope = await scopeOf(user, listNamespaces);
      const raws = await visibleRaw(user, listNamespaces);
      const results = await Promise.all(
        (scope ?? [undefined]).map((ns) =>
          readTrace(user.api, user.objects, ns, parsed, clusterName(user.kc)),
        ),
      );
      denied = results.flatMap((r) => r.denied);
      const byId = new Map(raws.map((a) => [`${a.metadata.namespace}/${a.metadata.name}`, a]));
      rows = results
        .flatMap((r) => r.hits)
        .map((hit) => {
          const raw = byId.get(`${hit.application.namespace}/${hit.application.name}`);
          const status = (raw?.status ?? {}) as {
            history?: { revision: string; startedAt: string; finishedAt: string }[];
            conditions?: { type: string; status: string; lastTransitionTime?: string }[];
          };
          const sync = status.history?.find(
            (h) => h.finishedAt === hit.since || h.revision.endsWith(hit.bumpCommit),
          );
          const healthy = status.conditions?.find(
            (c) => c.type === 'Healthy' && c.status === 'True',
          );
          return {
            ...hit,
            syncStartedAt: sync?.startedAt ?? '',
            syncFinishedAt: sync?.finishedAt ?? '',
            healthySince: healthy?.lastTransitionTime ?? '',
          };
        });
    }
  }
  sendHtml(
    res,
    200,
    renderPage({
      title: 'Trace',
      viewer: viewerOf(session),
      body: TracePage({ target, rows, denied, problem, now: Date.now() }),
    }),
  );
}

export async function matrixPage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  listNamespaces: NamespaceLister,
): Promise<void> {
  const raws = await visibleRaw(user, listNamespaces);
  const placed = raws.map((raw) => {
    const app = summarize(raw);
    const path = (raw.spec?.source as { path?: string } | undefined)?.path ?? '';
    const labels = ((raw.metadata as { labels?: Record<string, string> }).labels ?? {}) as Record<
      string,
      string
    >;
    return { app, at: placementOf(app, path, labels) };
  });
  sendHtml(
    res,
    200,
    renderPage({
      title: 'Environments',
      viewer: viewerOf(session),
      body: MatrixPage({ matrix: matrixOf(placed), now: Date.now() }),
    }),
  );
}
