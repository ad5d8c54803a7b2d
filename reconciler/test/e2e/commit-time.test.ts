/**
 * The commit times in an Application's status, against the real API server and git server: each
 * history line carries its revision's committer time (not its author time) as git gave it at
 * the fetch, and the app commit's time from the `Kustodian-Source-Time` trailer; a trailer that
 * is not an RFC 3339 time is left out and the status is still written.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
} from './support.ts';

const env = localEnv();
const appCommit = 'd'.repeat(40);

/** A bump's message, as the Action writes it, with `time` as its `Kustodian-Source-Time`. */
const bump = (headline: string, time: string) =>
  [
    headline,
    '',
    'Kustodian-Source-Repository: acme/web',
    `Kustodian-Source-Commit: ${appCommit}`,
    `Kustodian-Source-Time: ${time}`,
    'Kustodian-Workflow-Run: https://github.com/acme/web/actions/runs/7',
  ].join('\n');

describe('the commit times in the status of an Application', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const applied = (commit: string) =>
    waitForApplication(
      kube(),
      namespace,
      'web',
      `revision ${commit} applied`,
      (app) => app.status?.lastAppliedRevision === `main@sha1:${commit}`,
    );

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('commit-time');
    repo = await git.repo('team/commit-time');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('a history line carries the committer time of its revision and the app commit with its time from the trailers', async () => {
    const commit = await repo.commit(
      { 'app/settings.yaml': configMap('settings', { mode: 'blue' }) },
      bump('Bump web to 1.0.0', '2026-03-04T04:00:00+02:00'),
      { author: '2001-01-01T00:00:00Z', committer: '2026-03-04T05:06:07+02:00' },
    );
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    const app = await applied(commit);
    assert.equal(readyOf(app)?.status, 'True');
    const [line] = app.status?.history ?? [];
    assert.deepEqual(
      [line?.revision, line?.result, line?.revisionTime, line?.sourceCommit, line?.sourceTime],
      [
        `main@sha1:${commit}`,
        'Succeeded',
        '2026-03-04T03:06:07Z',
        appCommit,
        '2026-03-04T02:00:00Z',
      ],
    );
    assert.deepEqual(app.status?.lastAppliedSource, {
      repository: 'acme/web',
      commit: appCommit,
      time: '2026-03-04T02:00:00Z',
      workflowRun: 'https://github.com/acme/web/actions/runs/7',
    });
  });

  test('a Kustodian-Source-Time that is not an RFC 3339 time is left out, and the rest is written', async () => {
    const commit = await repo.commit(
      { 'app/settings.yaml': configMap('settings', { mode: 'green' }) },
      bump('Bump web to 1.1.0', 'last Tuesday'),
      { committer: '2026-03-05T10:00:00Z' },
    );
    const app = await applied(commit);
    assert.equal(readyOf(app)?.status, 'True');
    const [line, earlier] = app.status?.history ?? [];
    assert.deepEqual(line && { ...line, startedAt: '', finishedAt: '' }, {
      revision: `main@sha1:${commit}`,
      startedAt: '',
      finishedAt: '',
      result: 'Succeeded',
      revisionTime: '2026-03-05T10:00:00Z',
      sourceCommit: appCommit,
    });
    assert.equal(earlier?.revisionTime, '2026-03-04T03:06:07Z');
    assert.deepEqual(app.status?.lastAppliedSource, {
      repository: 'acme/web',
      commit: appCommit,
      workflowRun: 'https://github.com/acme/web/actions/runs/7',
    });
  });
});
