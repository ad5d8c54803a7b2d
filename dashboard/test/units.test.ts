/** The pure parts of the dashboard: claim mapping, sessions, the list query. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApplicationSummary } from '@kustodian/query/applications';
import { identityOf } from '../src/server/auth/identity.ts';
import { csrfMatches, SessionStore } from '../src/server/auth/sessions.ts';
import { pageOf, parseListQuery, statusOf } from '../src/shared/list-query.ts';

const mapping = {
  usernameClaim: 'email',
  groupsClaim: 'groups',
  usernamePrefix: 'oidc:',
  groupsPrefix: 'oidc:',
};

describe('identityOf', () => {
  test('maps the username and groups claims with their prefixes, groups sorted and deduplicated', () => {
    const result = identityOf({ email: 'a@x.test', groups: ['b', 'a', 'b', 7, ''] }, mapping);
    assert.deepEqual(result, {
      ok: true,
      identity: { username: 'oidc:a@x.test', groups: ['oidc:a', 'oidc:b'] },
    });
  });

  test('refuses claims without a username, or with an empty one', () => {
    assert.equal(identityOf({ groups: ['a'] }, mapping).ok, false);
    assert.equal(identityOf({ email: '  ' }, mapping).ok, false);
  });

  test('refuses a user name in system: and drops groups that land there', () => {
    const bare = { ...mapping, usernamePrefix: '', groupsPrefix: '' };
    assert.equal(identityOf({ email: 'system:admin' }, bare).ok, false);
    assert.deepEqual(identityOf({ email: 'a', groups: ['system:masters', 'ok'] }, bare), {
      ok: true,
      identity: { username: 'a', groups: ['ok'] },
    });
  });
});

describe('SessionStore', () => {
  test('a session ends at its expiry and at delete, and its id is then worth nothing', () => {
    let now = 0;
    const store = new SessionStore(1000, () => now);
    const a = store.create({ username: 'u', groups: [] });
    const b = store.create({ username: 'v', groups: [] });
    assert.equal(store.get(a.id)?.identity.username, 'u');
    store.delete(a.id);
    assert.equal(store.get(a.id), undefined);
    now = 1000;
    assert.equal(store.get(b.id), undefined);
  });

  test('a pending sign-in can be taken once', () => {
    const store = new SessionStore(1000);
    const id = store.addPending({ state: 's', nonce: 'n', codeVerifier: 'v', returnTo: '/' });
    assert.equal(store.takePending(id)?.state, 's');
    assert.equal(store.takePending(id), undefined);
  });

  test('the CSRF token must match exactly', () => {
    const session = new SessionStore(1000).create({ username: 'u', groups: [] });
    assert.equal(csrfMatches(session, session.csrfToken), true);
    assert.equal(csrfMatches(session, `${session.csrfToken}x`), false);
    assert.equal(csrfMatches(session, undefined), false);
  });
});

function app(
  namespace: string,
  name: string,
  over: Partial<ApplicationSummary> = {},
): ApplicationSummary {
  return {
    namespace,
    name,
    ready: 'True',
    reason: '',
    message: '',
    health: 'Healthy',
    revision: '',
    commit: '',
    attemptedRevision: '',
    repository: `https://git.test/${namespace}.git`,
    sourceCommit: '',
    suspended: false,
    createdAt: '',
    lastSyncAt: '',
    requestedAt: '',
    handledRequestedAt: '',
    ...over,
  };
}

describe('the list query', () => {
  const apps = [
    app('b', 'web'),
    app('a', 'api', { ready: 'False', message: 'apply failed' }),
    app('a', 'db', { suspended: true }),
    app('c', 'jobs', { ready: 'Unknown' }),
  ];

  test('filters by namespace, status, repository and text, and counts what matches', () => {
    const q = (text: string) => pageOf(parseListQuery(new URLSearchParams(text)), apps);
    assert.equal(q('namespace=a').total, 2);
    assert.deepEqual(
      q('status=failing').items.map((a) => a.name),
      ['api'],
    );
    assert.deepEqual(
      q('repository=c.git').items.map((a) => a.name),
      ['jobs'],
    );
    assert.deepEqual(
      q('q=APPLY').items.map((a) => a.name),
      ['api'],
    );
  });

  test('sorts by status, most urgent first, and pages past the end land on the last page', () => {
    const sorted = pageOf(parseListQuery(new URLSearchParams('sort=status')), apps);
    assert.deepEqual(sorted.items.map(statusOf), ['failing', 'progressing', 'suspended', 'ready']);
    const last = pageOf(parseListQuery(new URLSearchParams('size=3&page=9')), apps);
    assert.deepEqual([last.query.page, last.items.length, last.total], [2, 1, 4]);
  });

  test('unknown parameters fall back to the defaults and the page size is capped', () => {
    const query = parseListQuery(new URLSearchParams('status=bogus&sort=x&size=100000&page=-1'));
    assert.deepEqual(
      [query.status, query.sort, query.pageSize, query.page],
      ['', 'namespace', 500, 1],
    );
  });
});
