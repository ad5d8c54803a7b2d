/**
 * From a signed push payload to the Applications it refreshes: the payload read by the
 * webhook's own parser, matched against Applications whose source names the same repository
 * in another address form, and the patch with which a standby asks the leader for a refresh.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/api/application.ts';
import { parsePushEvent } from '../../src/server/github.ts';
import { applicationsForPush, matchPush, requestPatch } from '../../src/wiring/push.ts';

function app(name: string, source: Record<string, unknown>): Application {
  return {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'apps' },
    spec: { source },
  };
}

function push(ref = 'refs/heads/main') {
  const parsed = parsePushEvent(
    JSON.stringify({
      ref,
      after: 'a'.repeat(40),
      repository: {
        clone_url: 'https://github.com/Acme/Config.git',
        ssh_url: 'git@github.com:Acme/Config.git',
        html_url: 'https://github.com/Acme/Config',
      },
    }),
  );
  assert.ok(parsed.ok);
  return parsed.push;
}

const applications = [
  app('https-default-branch', { url: 'https://github.com/acme/config' }),
  app('scp-main', { url: 'git@github.com:acme/config.git', ref: { branch: 'main' } }),
  app('other-branch', { url: 'https://github.com/acme/config.git', ref: { branch: 'release' } }),
  app('tag', { url: 'https://github.com/acme/config.git', ref: { tag: 'v1.0.0' } }),
  app('pinned-commit', {
    url: 'ssh://git@github.com/acme/config.git',
    ref: { commit: 'b'.repeat(40) },
  }),
  app('other-repo', { url: 'https://github.com/acme/other.git' }),
];

test('a push to main refreshes the Applications of that repository and branch, whatever their URL form', () => {
  assert.deepEqual(applicationsForPush(push(), applications), [
    'apps/https-default-branch',
    'apps/scp-main',
    'apps/pinned-commit',
  ]);
});

test('a push of a tag refreshes the Applications that follow that tag', () => {
  assert.deepEqual(applicationsForPush(push('refs/tags/v1.0.0'), applications), [
    'apps/tag',
    'apps/pinned-commit',
  ]);
});

test('matchPush asks the leading controller for one refresh per matching Application', () => {
  const refreshed: string[] = [];
  const count = matchPush(push(), {
    applications: () => applications,
    refresh: (key, why) => refreshed.push(`${key} (${why})`),
  });
  assert.equal(count, 3);
  assert.deepEqual(refreshed, [
    'apps/https-default-branch (push to refs/heads/main)',
    'apps/scp-main (push to refs/heads/main)',
    'apps/pinned-commit (push to refs/heads/main)',
  ]);
});

test('a standby asks for a refresh by adding the annotation, keeping the others', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const annotated = app('web', { url: 'https://github.com/acme/config' });
  annotated.metadata.annotations = { team: 'a' };
  assert.deepEqual(requestPatch(annotated, at), [
    { op: 'add', path: '/metadata/annotations/kustodian.dev~1requested-at', value: at },
  ]);
});

test('the first annotation is added only to the Application as it was read', () => {
  const at = '2025-01-01T00:00:00.000Z';
  const bare = app('web', { url: 'https://github.com/acme/config' });
  bare.metadata.resourceVersion = '42';
  assert.deepEqual(requestPatch(bare, at), [
    { op: 'test', path: '/metadata/resourceVersion', value: '42' },
    { op: 'add', path: '/metadata/annotations', value: { 'kustodian.dev/requested-at': at } },
  ]);
});
