/**
 * The Applications list: the first paint (`/`), the same page as JSON (`/api/applications`),
 * its live stream (`/api/stream`) and the actions (`POST /api/applications/NS/NAME/ACTION`).
 * Every read is made as the user; actions are checked with an access review as the user and
 * need the session's CSRF token in `X-CSRF-Token`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Applications } from '@kustodian/query/applications';
import { QueryError } from '@kustodian/query/kube';
import { pageOf, parseListQuery } from '../../shared/list-query.ts';
import { ApplicationsList } from '../../ui/list.ts';
import type { AllowedActions, ListView, Viewer } from '../../ui/model.ts';
import { csrfMatches, type Session } from '../auth/sessions.ts';
import { type Action, actions } from '../kube/access.ts';
import type { UserKube } from '../kube/users.ts';
import { listVisible, type NamespaceLister } from '../kube/visible.ts';
import type { Logger } from '../log.ts';
import { renderPage } from './page.ts';
import { sendHtml, sendJson } from './respond.ts';
import { serveStream } from './stream.ts';

/** What the list routes need. */
export interface ListDeps {
  listNamespaces: NamespaceLister;
  /** The server's own query layer: only for the sync request a `sync` grant allows. */
  serverApps: Applications;
  /** This server's origin, checked against `Origin` on changes. */
  origin: string;
  log: Logger;
}

/** The viewer of a session, as pages show them. */
export function viewerOf(session: Session): Viewer {
  return {
    username: session.identity.username,
    groups: session.identity.groups,
    csrfToken: session.csrfToken,
  };
}

/** One page of the list, read as the user. */
export async function listView(user: UserKube, url: URL, deps: ListDeps): Promise<ListView> {
  const query = parseListQuery(url.searchParams);
  const visible = await listVisible(user, query.namespace, deps.listNamespaces);
  const page = pageOf(query, visible.items);
  const namespaces = [...new Set(page.items.map((a) => a.namespace))];
  const allowed: Record<string, AllowedActions> = {};
  await Promise.all(
    namespaces.map(async (ns) => {
      allowed[ns] = await user.access.allowed(ns);
    }),
  );
  return {
    page,
    resourceVersion: visible.resourceVersion,
    allowed,
    forbidden: visible.forbidden,
    now: Date.now(),
  };
}

export async function listPage(
  res: ServerResponse,
  session: Session,
  user: UserKube,
  url: URL,
  deps: ListDeps,
): Promise<void> {
  const view = await listView(user, url, deps);
  sendHtml(
    res,
    200,
    renderPage({
      title: 'Applications',
      view: 'list',
      viewer: viewerOf(session),
      body: ApplicationsList({ view, live: 'connecting' }),
      data: view,
    }),
  );
}

export async function listJson(res: ServerResponse, user: UserKube, url: URL, deps: ListDeps) {
  sendJson(res, 200, await listView(user, url, deps));
}

export async function stream(
  req: IncomingMessage,
  res: ServerResponse,
  user: UserKube,
  url: URL,
  alive: () => boolean,
  deps: ListDeps,
): Promise<void> {
  const lastEventId = req.headers['last-event-id'];
  await serveStream(res, {
    user,
    namespace: url.searchParams.get('namespace') ?? '',
    from:
      (typeof lastEventId === 'string' ? lastEventId : '') || (url.searchParams.get('from') ?? ''),
    listNamespaces: deps.listNamespaces,
    alive,
  });
}

/** `POST /api/applications/NS/NAME/ACTION`. */
export async function act(
  req: IncomingMessage,
  res: ServerResponse,
  session: Session,
  user: UserKube,
  params: { namespace: string; name: string; action: string },
  deps: ListDeps,
): Promise<void> {
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== deps.origin) {
    sendJson(res, 403, { message: `requests from ${origin} are refused` });
    return;
  }
  const sent = req.headers['x-csrf-token'];
  if (!csrfMatches(session, typeof sent === 'string' ? sent : undefined)) {
    sendJson(res, 403, { message: 'the request carried no valid CSRF token: reload the page' });
    return;
  }
  if (!(actions as readonly string[]).includes(params.action)) {
    sendJson(res, 404, { message: `no action ${params.action}` });
    return;
  }
  const action = params.action as Action;
  const { namespace, name } = params;
  const id = `Application ${namespace}/${name}`;
  const allowed = await user.access.allowed(namespace);
  if (!allowed[action]) {
    deps.log.warn('action refused', {
      user: session.identity.username,
      action,
      application: `${namespace}/${name}`,
    });
    sendJson(res, 403, {
      message: `${id}: ${session.identity.username} may not ${action} it: ask for RBAC permission "${action === 'sync' ? 'sync" (or "patch' : 'patch'}" on "applications.kustodian.dev" in namespace ${namespace}`,
    });
    return;
  }
  try {
    if (action === 'sync') {
      // Reading it as the user first: a sync is only asked for an Application they can see.
      await user.apps.get(namespace, name);
      await deps.serverApps.requestSync(namespace, name, new Date());
    } else await user.apps.setSuspended(namespace, name, action === 'suspend');
  } catch (error) {
    const status =
      error instanceof QueryError && error.failure === 'not-found'
        ? 404
        : error instanceof QueryError && error.failure === 'forbidden'
          ? 403
          : 502;
    sendJson(res, status, { message: error instanceof Error ? error.message : String(error) });
    return;
  }
  deps.log.info('action', {
    user: session.identity.username,
    action,
    application: `${namespace}/${name}`,
  });
  sendJson(res, 200, {
    message: `${id}: ${action === 'sync' ? 'sync requested' : action === 'suspend' ? 'suspended' : 'resumed'}`,
  });
}
