/**
 * One Application: the page (`/applications/NS/NAME`), its data as JSON, the live vs desired
 * diff of its objects (the query layer's server-side dry run, on demand) and its pods' logs.
 * All read as the user: an object their RBAC hides shows as Unknown with the reason.
 */
import type { ServerResponse } from 'node:http';
import { summarize } from '@kustodian/query/applications';
import { diffApplication } from '@kustodian/query/diff-run';
import { applicationEvents } from '@kustodian/query/events';
import { inventoryRefs, isWorkloadKind } from '@kustodian/query/inventory';
import { QueryError } from '@kustodian/query/kube';
import { applicationPods } from '@kustodian/query/logs';
import { applicationTree } from '@kustodian/query/tree';
import { execaRunner } from '@kustodian/shared/exec';
import { locateKustomize } from '@kustodian/shared/kustomize/locate';
import { networkEnv } from '@kustodian/shared/network-env';
import { groupTree } from '../../shared/tree-view.ts';
import { ApplicationDetail } from '../../ui/detail.ts';
import type { ConditionView, DetailView, HistoryView, LogsView } from '../../ui/model.ts';
import type { Session } from '../auth/sessions.ts';
import type { UserKube } from '../kube/users.ts';
import { viewerOf } from './list-routes.ts';
import { renderPage } from './page.ts';
import { sendHtml, sendJson } from './respond.ts';

/** How much of a log is sent: its last lines. */
const logLines = 500;
const maxEvents = 100;

/** What the detail routes need. */
export interface DetailDeps {
  /** Lets the diff's git fetch use plain HTTP (the reconciler's `--allow-http`). */
  allowHttp: boolean;
}

/** The detail of `namespace/name`, read as the user. */
export async function detailView(
  user: UserKube,
  namespace: string,
  name: string,
): Promise<DetailView> {
  const raw = await user.api.get(namespace, name);
  const status = (raw.status ?? {}) as {
    conditions?: Partial<ConditionView>[];
    history?: {
      revision: string;
      startedAt: string;
      finishedAt: string;
      result: string;
      reason?: string;
      sourceCommit?: string;
    }[];
    lastAppliedSource?: { repository?: string; commit?: string; workflowRun?: string };
  };
  const [tree, events, allowed] = await Promise.all([
    applicationTree(user.api, user.objects, namespace, name).catch((error: unknown) => {
      if (error instanceof QueryError && error.failure === 'forbidden') return [];
      throw error;
    }),
    applicationEvents(user.api, user.objects, namespace, name).catch((error: unknown) => {
      if (error instanceof QueryError && error.failure === 'forbidden') return [];
      throw error;
    }),
    user.access.allowed(namespace),
  ]);
  const history: HistoryView[] = (status.history ?? []).map((h) => ({
    revision: h.revision,
    sourceCommit: h.sourceCommit ?? '',
    result: h.result,
    reason: h.reason ?? '',
    startedAt: h.startedAt,
    finishedAt: h.finishedAt,
    durationMs: Math.max(0, Date.parse(h.finishedAt) - Date.parse(h.startedAt)) || 0,
  }));
  return {
    application: summarize(raw),
    source: {
      repository: status.lastAppliedSource?.repository ?? '',
      commit: status.lastAppliedSource?.commit ?? '',
      workflowRun: status.lastAppliedSource?.workflowRun ?? '',
    },
    conditions: (status.conditions ?? []).map((c) => ({
      type: c.type ?? '',
      status: c.status ?? '',
      reason: c.reason ?? '',
      message: c.message ?? '',
      lastTransitionTime: c.lastTransitionTime ?? '',
    })),
    history,
    tree: groupTree(tree),
    treeTotal: tree.length,
    events: events.slice(-maxEvents).reverse(),
    workloads: inventoryRefs(raw)
      .filter((r) => isWorkloadKind(r.kind))
      .map((r) => `${r.kind}/${r.name}`),
    allowed,
    resourceVersion: (raw.metadata as { resourceVersion?: string }).resourceVersion ?? '',
    now: Date.now(),
  };
}

export async function detailPage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  namespace: string,
  name: string,
): Promise<void> {
  const view = await detailView(user, namespace, name);
  sendHtml(
    res,
    200,
    renderPage({
      title: `${namespace}/${name}`,
      view: 'detail',
      viewer: viewerOf(session),
      body: ApplicationDetail({ view, live: 'connecting' }),
      data: view,
    }),
  );
}

export async function detailJson(
  res: ServerResponse,
  user: UserKube,
  namespace: string,
  name: string,
) {
  sendJson(res, 200, await detailView(user, namespace, name));
}

/** What the next sync would change, object by object (a server-side dry run as the user). */
export async function diffJson(
  res: ServerResponse,
  user: UserKube,
  namespace: string,
  name: string,
  deps: DetailDeps,
): Promise<void> {
  try {
    const located = await locateKustomize({
      pathEnv: process.env.PATH ?? '',
      runCommand: execaRunner,
    });
    const diff = await diffApplication({
      kc: user.kc,
      namespace,
      name,
      from: { kind: 'repository' },
      kustomize: located.command,
      runCommand: execaRunner,
      allowHttp: deps.allowHttp,
      networkEnv: networkEnv(process.env),
    });
    sendJson(res, 200, diff);
  } catch (error) {
    const status =
      error instanceof QueryError && error.failure === 'forbidden'
        ? 403
        : error instanceof QueryError && error.failure === 'not-found'
          ? 404
          : 502;
    sendJson(res, status, { message: error instanceof Error ? error.message : String(error) });
  }
}

/** The last lines of each container's log of one workload's pods (or of all workloads). */
export async function logsJson(
  res: ServerResponse,
  user: UserKube,
  namespace: string,
  name: string,
  object: string | undefined,
): Promise<void> {
  const pods = await applicationPods(user.api, user.objects, namespace, name, object);
  const view: LogsView = { logs: [] };
  for (const pod of pods.slice(0, 20))
    for (const container of pod.containers) {
      let text = '';
      try {
        const controller = new AbortController();
        await user.logs.stream(pod, container, {
          follow: false,
          signal: controller.signal,
          onText: (chunk) => {
            text += chunk;
          },
        });
        view.logs.push({
          pod: pod.name,
          container,
          text: text.split('\n').slice(-logLines).join('\n'),
        });
      } catch (error) {
        view.logs.push({
          pod: pod.name,
          container,
          text: '',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  sendJson(res, 200, view);
}
