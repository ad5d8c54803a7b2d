/**
 * kustodian-server's security against the real provider and API server: sign-in checks (state,
 * signature, expiry, audience, `alg: none`), the identity mapping, CSRF, logout, RBAC through
 * impersonation, and what reaches the log.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi } from '@kubernetes/client-node';
import {
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
} from 'jose';
import { adminKube, installCrd } from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import {
  bindTestUsers,
  CookieFetch,
  callbackUrl,
  createApp,
  pageData,
  signIn,
  startDashboard,
  type TestDashboard,
} from './support.ts';

const env = localEnv();

/** How the token endpoint's ID token is altered on its way to the server. */
type Tamper = 'none' | 'forged-signature' | 'expired' | 'wrong-audience' | 'alg-none';

describe('kustodian-server security', () => {
  let dashboard: TestDashboard;
  let tampering: TestDashboard;
  let tamper: Tamper = 'none';
  let teamA: string;
  let teamB: string;
  let unbind: () => Promise<void>;

  before(async () => {
    await installCrd(adminKube(env()));
    teamA = await env().createNamespace('team-a');
    teamB = await env().createNamespace('team-b');
    unbind = await bindTestUsers(env(), teamB);
    await createApp(env(), teamA, 'payments', { ready: 'True', message: 'applied 3 objects' });
    await createApp(env(), teamB, 'web', { ready: 'True', message: 'applied 2 objects' });
    dashboard = await startDashboard(env());

    const jwks = JSON.parse(await readFile(env().oidc.jwksFile, 'utf8')) as {
      keys: Record<string, unknown>[];
    };
    const providerKey = await importJWK(jwks.keys[0] as never, 'RS256');
    const { privateKey: strangerKey } = await generateKeyPair('RS256', { extractable: true });
    await exportJWK(strangerKey);
    tampering = await startDashboard(env(), {
      fetch: async (url, options) => {
        const response = await fetch(url, options as RequestInit);
        if (!url.endsWith('/token') || tamper === 'none') return response;
        const body = (await response.json()) as { id_token: string };
        const header = decodeProtectedHeader(body.id_token);
        const claims = decodeJwt(body.id_token);
        const now = Math.floor(Date.now() / 1000);
        if (tamper === 'alg-none') {
          const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
          body.id_token = `${part({ alg: 'none', typ: 'JWT' })}.${part(claims)}.`;
        } else {
          const changed =
            tamper === 'expired'
              ? { ...claims, iat: now - 7200, exp: now - 3600 }
              : tamper === 'wrong-audience'
                ? { ...claims, aud: 'another-client' }
                : claims;
          body.id_token = await new SignJWT(changed)
            .setProtectedHeader({ alg: 'RS256', ...(header.kid ? { kid: header.kid } : {}) })
            .sign(tamper === 'forged-signature' ? strangerKey : providerKey);
        }
        return new Response(JSON.stringify(body), {
          status: response.status,
          headers: { 'Content-Type': 'application/json' },
        });
      },
    });
  });
  after(async () => {
    await dashboard?.stop();
    await tampering?.stop();
    await unbind?.();
  });

  test('alice signs in through the provider and gets an HttpOnly, Secure, SameSite=Lax session cookie and a strict CSP', async () => {
    const browser = new CookieFetch();
    const { callback } = await callbackUrl(dashboard, 'alice', browser);
    const response = await browser.request(callback);
    assert.equal(response.status, 303);
    const cookie = response.headers
      .getSetCookie()
      .find((c) => c.startsWith('__Host-kustodian-session='));
    assert.ok(cookie, 'a session cookie');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /SameSite=Lax/);
    const { data } = await pageData(browser, `${dashboard.origin}/`);
    assert.equal(data.viewer.username, 'oidc:alice@example.test');
    assert.deepEqual(data.viewer.groups, ['oidc:platform-admins']);
    const page = await browser.request(`${dashboard.origin}/?namespace=${teamA}`);
    const csp = page.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(await page.text(), /payments/);
  });

  test('a callback without a sign-in started here is refused', async () => {
    const { callback } = await callbackUrl(dashboard, 'alice');
    // Another browser, which never went through /login: no pending sign-in.
    const response = await new CookieFetch().request(callback);
    assert.equal(response.status, 400);
    assert.equal(
      response.headers
        .getSetCookie()
        .some((c) => c.includes('kustodian-session=') && !c.includes('Max-Age=0')),
      false,
    );
  });

  test('a callback whose state was changed is refused', async () => {
    const { browser, callback } = await callbackUrl(dashboard, 'alice');
    const url = new URL(callback);
    url.searchParams.set('state', 'forged-state');
    const response = await browser.request(url.href);
    assert.equal(response.status, 400);
    assert.match(await response.text(), /state/i);
  });

  test('a callback without state is refused', async () => {
    const { browser, callback } = await callbackUrl(dashboard, 'alice');
    const url = new URL(callback);
    url.searchParams.delete('state');
    const response = await browser.request(url.href);
    assert.equal(response.status, 400);
  });

  for (const [mode, reason] of [
    ['forged-signature', /signature/i],
    ['expired', /exp|expired/i],
    ['wrong-audience', /aud/i],
    ['alg-none', /alg|unsupported|JWS/i],
  ] as const) {
    test(`an ID token with ${mode.replace('-', ' ')} is refused`, async () => {
      tamper = mode;
      try {
        const { browser, callback } = await callbackUrl(tampering, 'alice');
        const response = await browser.request(callback);
        assert.equal(response.status, 400);
        assert.match(await response.text(), reason);
        assert.equal(browser.cookies(tampering.origin).has('__Host-kustodian-session'), false);
      } finally {
        tamper = 'none';
      }
    });
  }

  test('the same ID token, re-signed with the provider key and unchanged, is accepted (the tampering itself is sound)', async () => {
    tamper = 'none';
    const { browser, callback } = await callbackUrl(tampering, 'alice');
    assert.equal((await browser.request(callback)).status, 303);
  });

  test('a user without a username claim is refused, never mapped to the server account', async () => {
    const { browser, response } = await signIn(dashboard, 'nobody');
    assert.equal(response.status, 403);
    assert.match(await response.text(), /no &quot;email&quot; claim|no "email" claim/);
    assert.equal(browser.cookies(dashboard.origin).has('__Host-kustodian-session'), false);
  });

  test('bob sees team b and nothing of team a, not even when he asks for it by name', async () => {
    const { browser } = await signIn(dashboard, 'bob');
    const { data } = await pageData(browser, `${dashboard.origin}/`);
    const ids = data.data.page.items.map((a) => `${a.namespace}/${a.name}`);
    assert.ok(ids.includes(`${teamB}/web`), ids.join(' '));
    assert.ok(!ids.some((id) => id.startsWith(`${teamA}/`)), ids.join(' '));
    const asked = await browser.request(`${dashboard.origin}/api/applications?namespace=${teamA}`);
    const body = (await asked.json()) as {
      page: { items: unknown[]; total: number };
      forbidden: string[];
    };
    assert.equal(body.page.total, 0);
    assert.deepEqual(body.forbidden, [teamA]);
    const stream = await browser.request(`${dashboard.origin}/api/stream?namespace=${teamA}`);
    const text = await stream.text();
    assert.match(text, /event: failure/);
    assert.doesNotMatch(text, /payments/);
  });

  test('bob is shown no action and refused a sync; alice may sync, but only with the CSRF token', async () => {
    const bob = await signIn(dashboard, 'bob');
    const bobPage = await pageData(bob.browser, `${dashboard.origin}/?namespace=${teamB}`);
    assert.deepEqual(bobPage.data.data.allowed[teamB], {
      sync: false,
      suspend: false,
      resume: false,
    });
    assert.doesNotMatch(bobPage.html, />Sync</);
    const refused = await bob.browser.request(
      `${dashboard.origin}/api/applications/${teamB}/web/sync`,
      {
        method: 'POST',
        headers: { 'X-CSRF-Token': bobPage.data.viewer.csrfToken },
      },
    );
    assert.equal(refused.status, 403);
    assert.match(((await refused.json()) as { message: string }).message, /may not sync/);

    const alice = await signIn(dashboard, 'alice');
    const alicePage = await pageData(alice.browser, `${dashboard.origin}/?namespace=${teamB}`);
    assert.equal(alicePage.data.data.allowed[teamB]?.sync, true);
    const noToken = await alice.browser.request(
      `${dashboard.origin}/api/applications/${teamB}/web/sync`,
      { method: 'POST' },
    );
    assert.equal(noToken.status, 403);
    const otherToken = await alice.browser.request(
      `${dashboard.origin}/api/applications/${teamB}/web/sync`,
      {
        method: 'POST',
        headers: { 'X-CSRF-Token': bobPage.data.viewer.csrfToken },
      },
    );
    assert.equal(otherToken.status, 403);
    const api = env().kc.makeApiClient(CustomObjectsApi);
    const ids = {
      group: 'kustodian.dev',
      version: 'v1alpha1',
      plural: 'applications',
      namespace: teamB,
      name: 'web',
    };
    const before = (await api.getNamespacedCustomObject(ids)) as {
      metadata: { annotations?: Record<string, string> };
    };
    assert.equal(before.metadata.annotations?.['kustodian.dev/requested-at'], undefined);
    const synced = await alice.browser.request(
      `${dashboard.origin}/api/applications/${teamB}/web/sync`,
      {
        method: 'POST',
        headers: { 'X-CSRF-Token': alicePage.data.viewer.csrfToken },
      },
    );
    assert.equal(synced.status, 200, await synced.clone().text());
    const now = (await api.getNamespacedCustomObject(ids)) as {
      metadata: { annotations?: Record<string, string> };
    };
    assert.ok(now.metadata.annotations?.['kustodian.dev/requested-at']);
  });

  test('logout needs the CSRF token and ends the session on the server', async () => {
    const { browser } = await signIn(dashboard, 'alice');
    const { data } = await pageData(browser, `${dashboard.origin}/`);
    const cookie = browser.cookies(dashboard.origin).get('__Host-kustodian-session') ?? '';
    const without = await browser.request(`${dashboard.origin}/logout`, { method: 'POST' });
    assert.equal(without.status, 403);
    const out = await browser.request(`${dashboard.origin}/logout`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ csrf: data.viewer.csrfToken }),
    });
    assert.equal(out.status, 303);
    const location = out.headers.get('location') ?? '';
    assert.ok(location.startsWith(env().oidc.issuer), location);
    assert.doesNotMatch(location, /id_token/);
    // The old cookie, replayed by hand, is worth nothing now.
    const replay = await fetch(`${dashboard.origin}/api/applications`, {
      headers: { Cookie: `__Host-kustodian-session=${cookie}` },
    });
    assert.equal(replay.status, 401);
  });

  test('no secret reaches the log: not the client secret, a session id, a CSRF token, a code or a token', async () => {
    const { browser } = await signIn(dashboard, 'alice');
    const { data } = await pageData(browser, `${dashboard.origin}/`);
    const session = browser.cookies(dashboard.origin).get('__Host-kustodian-session') ?? '';
    const log = [...dashboard.logs, ...tampering.logs].join('');
    assert.ok(log.includes('signed in'));
    for (const secret of [
      dashboard.clientSecret,
      tampering.clientSecret,
      session,
      data.viewer.csrfToken,
    ])
      assert.equal(log.includes(secret), false);
    assert.doesNotMatch(log, /code=|eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
