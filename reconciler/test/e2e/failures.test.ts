/**
 * What the reconciler does when git fails: an unreachable server and refused credentials
 * prune nothing, back off, and leave a redacted reason in status, Events and logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
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
  waitUntilReady,
} from './support.ts';

const env = localEnv();

describe('an Application whose git server fails', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('gitfail');
    repo = await git.repo('team/outage');
    running = await startTestReconciler(env(), namespace);
    await repo.commit(
      { 'one.yaml': configMap('one', { a: '1' }), 'two.yaml': configMap('two', { b: '2' }) },
      'first',
    );
    await createApplication(
      kube(),
      namespace,
      'outage',
      { source: { url: repo.url } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'outage');
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('an unreachable git server prunes nothing and reports FetchFailed', async () => {
    git.server.setMode('unavailable');
    try {
      const app = await waitForApplication(
        kube(),
        namespace,
        'outage',
        'FetchFailed',
        (a) => readyOf(a)?.reason === 'FetchFailed',
        40_000,
      );
      assert.match(readyOf(app)?.message ?? '', /503|unavailable|Unreachable|returned error/i);
      assert.equal(app.status?.inventory?.entries.length, 2);
      for (const name of ['one', 'two']) {
        assert.ok(
          await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name }),
          `${name} is still there`,
        );
      }
      assert.equal(
        app.status?.conditions?.some((c) => c.type === 'Stalled'),
        false,
        'an outage does not stall',
      );
    } finally {
      git.server.setMode('serving');
    }
    await waitForApplication(
      kube(),
      namespace,
      'outage',
      'Ready again',
      (a) => readyOf(a)?.status === 'True',
      60_000,
    );
  });

  test('refused credentials report AuthFailed without the password anywhere', async () => {
    const wrong = 'wrong-password-that-must-not-leak';
    await kube().apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'outage-git', namespace },
      stringData: { username: git.username, password: wrong },
    });
    const app = await waitForApplication(
      kube(),
      namespace,
      'outage',
      'AuthFailed',
      (a) => readyOf(a)?.reason === 'AuthFailed',
      40_000,
    );
    assert.equal(app.status?.inventory?.entries.length, 2, 'nothing pruned');
    const events = await kube().list('v1', 'Event', { namespace });
    const everything =
      JSON.stringify(app.status) +
      JSON.stringify(events.items) +
      JSON.stringify(running.logs.lines);
    assert.ok(!everything.includes(wrong), 'the password is in no status, Event or log line');
    assert.ok(!everything.includes(git.password), 'nor is the right one');
    assert.ok(
      events.items.some(
        (e) => e.reason === 'ReconcileFailed' && String(e.message).includes('AuthFailed'),
      ),
    );
  });

  test('backs off between failed attempts instead of retrying in a loop', async () => {
    const attempts = () =>
      running.logs.lines.filter(
        (line) => line.application !== undefined && line.reason === 'AuthFailed',
      ).length;
    const before = attempts();
    await sleep(7000);
    const made = attempts() - before;
    // Backoff starts at 2 s (with jitter, 1-3 s) and doubles: at most a handful of attempts in 7 s.
    assert.ok(made >= 1, 'it kept trying');
    assert.ok(made <= 5, `${made} attempts in 7 s`);
  });
});
