/** The pure parts of the dashboard: claim mapping, sessions, the list query. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { ApplicationSummary } from '@kustodian/query/applications';
import type { RawApplication } from '@kustodian/query/kube';
import { buildMatrix } from '@kustodian/query/matrix';
import { timelinesOf } from '@kustodian/query/timeline';
import { parseTraceTarget } from '@kustodian/query/trace';
import type { TreeNode } from '@kustodian/query/tree';
import { renderToString } from 'preact-render-to-string';
import { parseAllDocuments } from 'yaml';
import { identityOf } from '../src/server/auth/identity.ts';
import { csrfMatches, SessionStore } from '../src/server/auth/sessions.ts';
import { pageOf, parseListQuery, statusOf } from '../src/shared/list-query.ts';
import { groupTree } from '../src/shared/tree-view.ts';
import { MatrixPage, TracePage } from '../src/ui/where.ts';

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

describe('the trace and environments pages', () => {
  const fixture = new URL('../../query/test/testdata/timeline-apps.yaml', import.meta.url);
  const apps = parseAllDocuments(readFileSync(fixture, 'utf8')).map(
    (d) => d.toJS() as RawApplication,
  );
  const now = Date.parse('2026-12-03T10:05:00Z');

  test("the trace draws each step of the query layer's timeline with its state, time and the time since the step before", () => {
    const target = parseTraceTarget('aaa1110');
    assert.ok(!('problem' in target));
    const timelines = timelinesOf(target, apps, [], 'prod');
    const page = renderToString(
      TracePage({ target: 'aaa1110', timelines, hits: [], denied: [], problem: '', now }),
    ).replace(/<!-- -->/g, '');
    const steps = [...page.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) =>
      (m[1] ?? '')
        .replace(/<[^>]+>/g, '')
        .replace(/\s+/g, ' ')
        .trim(),
    );
    assert.deepEqual(steps, [
      'app commit done 7m ago · acme/web@9be1c0d2a7f3 · workflow run',
      'bump commit done 5m ago (90s after the step before) · aaa111000000',
      'fetched done 5m ago (30s after the step before)',
      'applied done 4m ago (10s after the step before)',
      'healthy done 4m ago (20s after the step before) · all healthy',
    ]);
    assert.match(page, /aria-label="shop\/web"/);
    assert.match(page, /<time datetime="2026-12-03T10:00:10Z"/);
  });

  test("the matrix draws the query layer's columns, rows and cells: revision, app commit, tags, state, Ready, since", () => {
    const matrix = buildMatrix([{ cluster: 'prod', applications: apps }]);
    const page = renderToString(MatrixPage({ matrix, denied: [], now })).replace(/<!-- -->/g, '');
    const text = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
    assert.match(page, /<th scope="col">staging<\/th>/);
    assert.match(page, /<th scope="row">web<\/th>/);
    assert.match(text, /shop\/web Unknown main@aaa111000000 · app acme\/web@9be1c0d2a7f3/);
    assert.match(text, /images not read · Ready True · Unknown · since 4m ago/);
    assert.match(text, /shop\/api ApplyFailed/);
  });
});

describe('the object tree view', () => {
  const leaf = (kind: string, name: string, children: TreeNode[] = []): TreeNode => ({
    kind,
    name,
    health: 'Current',
    healthMessage: '',
    drift: 'InSync',
    note: '',
    children,
  });

  test('groups by kind with counts, and caps objects per kind and children per object', () => {
    const pods = Array.from({ length: 4 }, (_, i) => leaf('Pod', `p${i}`));
    const nodes = [
      leaf('Deployment', 'web', pods),
      ...Array.from({ length: 3 }, (_, i) => leaf('ConfigMap', `c${i}`)),
    ];
    const groups = groupTree(nodes, { perKind: 2, children: 3 });
    assert.deepEqual(
      groups.map((g) => [g.kind, g.total, g.nodes.length, g.hidden]),
      [
        ['Deployment', 1, 1, 0],
        ['ConfigMap', 3, 2, 1],
      ],
    );
    assert.deepEqual(
      [groups[0]?.nodes[0]?.children.length, groups[0]?.nodes[0]?.hiddenChildren],
      [3, 1],
    );
  });
});
