/**
 * kustodian-server's request handler: one function per route, the security headers on every
 * answer, a session required for everything but sign-in, health and assets. Failures become an
 * answer naming what failed; nothing secret reaches the log (paths are logged without query).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { QueryError } from '@kustodian/query/kube';
import type { AuthDeps } from './http/auth-routes.ts';
import { completeLogin, logout, sessionOf, startLogin } from './http/auth-routes.ts';
import { act, type ListDeps, listJson, listPage, stream } from './http/list-routes.ts';
import { messagePage } from './http/page.ts';
import { contentSecurityPolicy, redirect, secure, sendHtml, sendJson } from './http/respond.ts';
import type { UserKubes } from './kube/users.ts';

/** The built client. */
export interface Assets {
  readonly js: string;
  readonly css: string;
}

/** Everything the handler needs, built by `main.ts` (or a test). */
export interface DashboardDeps extends AuthDeps, ListDeps {
  users: UserKubes;
  assets: Assets;
  /** The provider's origin, which the logout form may redirect to. */
  issuerOrigin: string;
}

const actionPath = /^\/api\/applications\/([a-z0-9-]{1,63})\/([a-z0-9.-]{1,253})\/([a-z]+)$/;

/** The request handler. */
export function createHandler(deps: DashboardDeps): RequestListener {
  const csp = contentSecurityPolicy([deps.issuerOrigin]);
  return (req, res) => {
    secure(res, csp);
    const url = new URL(req.url ?? '/', deps.origin);
    const started = Date.now();
    res.on('finish', () => {
      if (url.pathname !== '/healthz')
        deps.log.info('request', {
          method: req.method,
          path: url.pathname,
          status: res.statusCode,
          ms: Date.now() - started,
        });
    });
    route(req, res, url, deps).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error('request failed', { path: url.pathname, reason: message });
      if (res.headersSent) {
        res.end();
        return;
      }
      const status = error instanceof QueryError && error.failure === 'forbidden' ? 403 : 502;
      if (url.pathname.startsWith('/api/')) sendJson(res, status, { message });
      else
        sendHtml(
          res,
          status,
          messagePage('Something failed', message, { href: '/', text: 'Back to the list' }),
        );
    });
  };
}

async function route(req: IncomingMessage, res: ServerResponse, url: URL, deps: DashboardDeps) {
  const { pathname } = url;
  const method = req.method ?? 'GET';
  if (method === 'GET' && pathname === '/healthz') return sendJson(res, 200, { ok: true });
  if (method === 'GET' && pathname === '/assets/app.js')
    return asset(res, deps.assets.js, 'text/javascript');
  if (method === 'GET' && pathname === '/assets/app.css')
    return asset(res, deps.assets.css, 'text/css');
  if (method === 'GET' && pathname === '/favicon.ico') {
    res.writeHead(204);
    return res.end();
  }
  if (method === 'GET' && pathname === '/login') return startLogin(res, url, deps);
  if (method === 'GET' && pathname === '/auth/callback') return completeLogin(req, res, url, deps);
  if (method === 'POST' && pathname === '/logout') return logout(req, res, deps);
  if (method === 'GET' && pathname === '/signed-out')
    return sendHtml(
      res,
      200,
      messagePage('Signed out', 'Your session has ended.', {
        href: '/login',
        text: 'Sign in again',
      }),
    );

  const session = sessionOf(req, deps);
  if (!session) {
    if (pathname.startsWith('/api/'))
      return sendJson(res, 401, { message: 'not signed in: sign in again' });
    return redirect(res, `/login?return=${encodeURIComponent(pathname + url.search)}`);
  }
  const user = deps.users.of(session);
  if (method === 'GET' && pathname === '/') return listPage(res, session, user, url, deps);
  if (method === 'GET' && pathname === '/api/applications') return listJson(res, user, url, deps);
  if (method === 'GET' && pathname === '/api/stream')
    return stream(req, res, user, url, () => deps.sessions.get(session.id) !== undefined, deps);
  const action = actionPath.exec(pathname);
  if (method === 'POST' && action)
    return act(
      req,
      res,
      session,
      user,
      { namespace: action[1] ?? '', name: action[2] ?? '', action: action[3] ?? '' },
      deps,
    );
  if (pathname.startsWith('/api/'))
    return sendJson(res, 404, { message: `no route ${method} ${pathname}` });
  return sendHtml(
    res,
    404,
    messagePage('Not found', `Nothing at ${pathname}.`, { href: '/', text: 'Back to the list' }),
  );
}

function asset(res: ServerResponse, body: string, type: string): void {
  res.setHeader('Cache-Control', 'no-cache');
  res.writeHead(200, { 'Content-Type': `${type}; charset=utf-8` });
  res.end(body);
}
