/**
 * From a signed push payload to the Applications it refreshes: the payload read by the
 * webhook's own parser, matched against Applications whose source names the same repository
 * in another address form.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/api/application.ts';
import { parsePushEvent } from '../../src/server/github.ts';
import { applicationsForPush, matchPush } from '../../src/wiring/push.ts';

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
  matchPush(push(), {
    applications: () => applications,
    refresh: (key, why) => refreshed.push(`${key} (${why})`),
  });
  assert.deepEqual(refreshed, [
    'apps/https-default-branch (push to refs/heads/main)',
    'apps/scp-main (push to refs/heads/main)',
    'apps/pinned-commit (push to refs/heads/main)',
  ]);
  assert.doesNotThrow(() => matchPush(push(), undefined));
});
