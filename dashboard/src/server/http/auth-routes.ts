/**
 * Sign-in and sign-out: `/login` starts the authorization code flow (state, nonce and PKCE
 * verifier kept server-side under an opaque cookie), `/auth/callback` completes it and starts a
 * session, `POST /logout` (with the CSRF token) ends the session here and then at the provider.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ClaimMapping, identityOf } from '../auth/identity.ts';
import type { OidcClient } from '../auth/oidc.ts';
import { csrfMatches, type Session, type SessionStore } from '../auth/sessions.ts';
import type { UserKubes } from '../kube/users.ts';
import type { Logger } from '../log.ts';
import { messagePage } from './page.ts';
import { cookie, cookiesOf, readBody, redirect, sendHtml } from './respond.ts';

/** What the sign-in routes need. */
export interface AuthDeps {
  oidc: OidcClient;
  sessions: SessionStore;
  users: UserKubes;
  mapping: ClaimMapping;
  cookieSecure: boolean;
  /** This server's origin, e.g. `https://kustodian.example.com`. */
  origin: string;
  log: Logger;
}

/** The name of the session cookie: `__Host-` when Secure, so no subdomain can set it. */
export function sessionCookieName(secure: boolean): string {
  return secure ? '__Host-kustodian-session' : 'kustodian-session';
}

const loginCookie = 'kustodian-login';

/** The session of a request, if any. */
export function sessionOf(req: IncomingMessage, deps: AuthDeps): Session | undefined {
  return deps.sessions.get(cookiesOf(req).get(sessionCookieName(deps.cookieSecure)));
}

/** A path of this server to return to (anything else becomes `/`). */
export function safeReturn(path: string | null | undefined): string {
  return path && /^\/(?![/\\])/.test(path) ? path : '/';
}

export async function startLogin(res: ServerResponse, url: URL, deps: AuthDeps): Promise<void> {
  const { url: target, pending } = await deps.oidc.begin(
    safeReturn(url.searchParams.get('return')),
  );
  const id = deps.sessions.addPending(pending);
  res.setHeader(
    'Set-Cookie',
    cookie(loginCookie, id, { secure: deps.cookieSecure, maxAgeSeconds: 600, path: '/auth' }),
  );
  redirect(res, target.href);
}

export async function completeLogin(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  deps: AuthDeps,
): Promise<void> {
  const clearLogin = cookie(loginCookie, '', {
    secure: deps.cookieSecure,
    maxAgeSeconds: 0,
    path: '/auth',
  });
  const pending = deps.sessions.takePending(cookiesOf(req).get(loginCookie));
  if (!pending) {
    deps.log.warn('sign-in refused', { reason: 'no pending sign-in (missing or expired state)' });
    res.setHeader('Set-Cookie', clearLogin);
    sendHtml(
      res,
      400,
      messagePage('Sign-in failed', 'This sign-in was not started here or took over ten minutes.', {
        href: '/login',
        text: 'Sign in again',
      }),
    );
    return;
  }
  let claims: Record<string, unknown>;
  try {
    ({ claims } = await deps.oidc.complete(url, pending));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    deps.log.warn('sign-in refused', { reason });
    res.setHeader('Set-Cookie', clearLogin);
    sendHtml(
      res,
      400,
      messagePage('Sign-in failed', reason, { href: '/login', text: 'Sign in again' }),
    );
    return;
  }
  const result = identityOf(claims, deps.mapping);
  if (!result.ok) {
    deps.log.warn('sign-in refused', { reason: result.message });
    res.setHeader('Set-Cookie', clearLogin);
    sendHtml(res, 403, messagePage('Sign-in refused', result.message));
    return;
  }
  const session = deps.sessions.create(result.identity);
  deps.log.info('signed in', { user: result.identity.username, groups: result.identity.groups });
  res.setHeader('Set-Cookie', [
    clearLogin,
    cookie(sessionCookieName(deps.cookieSecure), session.id, { secure: deps.cookieSecure }),
  ]);
  redirect(res, safeReturn(pending.returnTo), 303);
}

export async function logout(
  req: IncomingMessage,
  res: ServerResponse,
  deps: AuthDeps,
): Promise<void> {
  const session = sessionOf(req, deps);
  const form = new URLSearchParams(await readBody(req));
  const sent = (req.headers['x-csrf-token'] as string | undefined) ?? form.get('csrf') ?? undefined;
  if (session && !csrfMatches(session, sent)) {
    sendHtml(res, 403, messagePage('Not logged out', 'The request carried no valid CSRF token.'));
    return;
  }
  if (session) {
    deps.sessions.delete(session.id);
    deps.users.drop(session.id);
    deps.log.info('signed out', { user: session.identity.username });
  }
  res.setHeader(
    'Set-Cookie',
    cookie(sessionCookieName(deps.cookieSecure), '', {
      secure: deps.cookieSecure,
      maxAgeSeconds: 0,
    }),
  );
  const after = `${deps.origin}/signed-out`;
  redirect(res, deps.oidc.logoutUrl(after)?.href ?? '/signed-out', 303);
}
