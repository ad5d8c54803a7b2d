import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay } from '../../src/clock.ts';
import { writeRefusal } from '../../src/event.ts';
import { authorizationHeader, gitAuthEnv, resolveRemote } from '../../src/git/remote.ts';
import { commitMessage } from '../../src/report/message.ts';
import { renderSummary } from '../../src/report/summary.ts';

describe('the event check', () => {
  it('refuses pull_request_target and fork pull requests, allows the rest', () => {
    assert.match(
      writeRefusal({ name: 'pull_request_target', payload: {} }) ?? '',
      /pull_request_target/,
    );
    const fork = {
      pull_request: { head: { repo: { full_name: 'x/y' } }, base: { repo: { full_name: 'a/b' } } },
    };
    assert.match(writeRefusal({ name: 'pull_request', payload: fork }) ?? '', /fork/);
    const same = {
      pull_request: { head: { repo: { full_name: 'a/b' } }, base: { repo: { full_name: 'a/b' } } },
    };
    assert.equal(writeRefusal({ name: 'pull_request', payload: same }), undefined);
    assert.equal(writeRefusal({ name: 'release', payload: {} }), undefined);
  });
});

describe('the remote and its credentials', () => {
  it('turns owner/name into a URL on the server and keeps the token out of it', () => {
    const remote = resolveRemote('acme/config', 'https://github.example.com/');
    assert.equal(remote.url, 'https://github.example.com/acme/config.git');
    const env = gitAuthEnv(remote, 'secret-token');
    assert.ok(!remote.url.includes('secret-token'));
    assert.equal(env.GIT_CONFIG_KEY_0, 'http.https://github.example.com/.extraHeader');
    assert.equal(env.GIT_CONFIG_VALUE_0, authorizationHeader('secret-token'));
    assert.equal(
      Buffer.from(env.GIT_CONFIG_VALUE_0?.split(' ')[2] ?? '', 'base64').toString(),
      'x-access-token:secret-token',
    );
  });

  it('sends no header to ssh or file remotes', () => {
    assert.equal(
      gitAuthEnv(resolveRemote('git@github.com:acme/config.git', ''), 't0ken').GIT_CONFIG_COUNT,
      undefined,
    );
    assert.equal(
      gitAuthEnv(resolveRemote('file:///srv/config.git', ''), 't0ken').GIT_CONFIG_COUNT,
      undefined,
    );
  });
});

describe('the commit message', () => {
  it('names the images and adds the trace trailers', () => {
    const message = commitMessage(
      [
        { name: 'web', newTag: '1.2.3' },
        { name: 'api', digest: `sha256:${'a'.repeat(64)}` },
      ],
      {
        repository: 'acme/web',
        sha: 'abc',
        runUrl: 'https://github.com/acme/web/actions/runs/1',
      },
    );
    assert.equal(
      message,
      'Bump web to 1.2.3, api to sha256:aaaaaaaaaaaa\n\nKustodian-Source-Repository: acme/web\nKustodian-Source-Commit: abc\nKustodian-Workflow-Run: https://github.com/acme/web/actions/runs/1\n',
    );
  });

  it('adds the time of the app commit after the commit, when the event said it', () => {
    const message = commitMessage([{ name: 'web', newTag: '1.2.3' }], {
      repository: 'acme/web',
      sha: 'abc',
      time: '2026-12-04T19:59:29Z',
      runUrl: 'https://github.com/acme/web/actions/runs/1',
    });
    assert.equal(
      message,
      [
        'Bump web to 1.2.3',
        '',
        'Kustodian-Source-Repository: acme/web',
        'Kustodian-Source-Commit: abc',
        'Kustodian-Source-Time: 2026-12-04T19:59:29Z',
        'Kustodian-Workflow-Run: https://github.com/acme/web/actions/runs/1',
        '',
      ].join('\n'),
    );
  });
});

describe('retries', () => {
  it('back off exponentially with full jitter under a cap', () => {
    const backoff = { baseMs: 100, capMs: 1000 };
    assert.equal(
      backoffDelay(1, backoff, () => 0.999),
      99,
    );
    assert.equal(
      backoffDelay(3, backoff, () => 0.5),
      200,
    );
    assert.equal(
      backoffDelay(10, backoff, () => 0.5),
      500,
    );
  });
});

describe('the job summary', () => {
  const facts = {
    repository: 'acme/config',
    commitMode: 'push',
    kubernetesVersion: 'v1.36.3',
    overlays: ['prod'],
    outcome: 'committed 123',
    changes: new Map(),
    problems: [],
    diffs: [
      { overlay: 'prod', patch: `--- a\n+++ b\n${'+x\n'.repeat(5000)}`, added: 5000, removed: 0 },
    ],
  };

  it('holds the full diff when it fits', () => {
    assert.match(renderSummary(facts), /```diff/);
  });

  it('degrades to a per-overlay list to stay under the limit', () => {
    const summary = renderSummary(facts, 4000);
    assert.ok(Buffer.byteLength(summary) <= 4000);
    assert.doesNotMatch(summary, /```diff/);
    assert.match(summary, /`prod`: \+5000 -0 lines/);
  });
});
