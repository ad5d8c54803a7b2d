/**
 * `selfHeal: false` on the real API server: a change made by hand outlives intervals and
 * refreshes, reported as drift (Ready message, a Warning Event) but never reverted, until a new
 * commit or a new spec is applied, which takes the object back.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readApplication,
  readyOf,
  reconcileNow,
  reconciles,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const run = promisify(execFile);

describe('an Application with selfHeal off', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const mode = async () => {
    const live = await kube().get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'settings',
    });
    return (live?.data as Record<string, string> | undefined)?.mode;
  };
  const patchByHand = (value: string) =>
    run('kubectl', [
      ...['--kubeconfig', env().kubeconfig, '-n', namespace, 'patch', 'configmap', 'settings'],
      ...['--type=merge', '-p', JSON.stringify({ data: { mode: value } })],
    ]);
  /** Waits until the reconciler has reconciled `times` more, an interval's worth at least. */
  const pastReconciles = async (times: number) => {
    const start = await reconciles(running.reconciler);
    await waitFor(
      `${times} more reconciles`,
      async () => (await reconciles(running.reconciler)) >= start + times,
      { timeoutMs: 40_000, intervalMs: 100 },
    );
  };

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('self-heal');
    repo = await git.repo('team/self-heal');
    running = await startTestReconciler(env(), namespace);
    await repo.commit({ 'app/settings.yaml': configMap('settings', { mode: 'blue' }) }, 'first');
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' }, selfHeal: false },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'web');
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('keeps a change made by hand through refreshes and intervals, and reports it', async () => {
    await patchByHand('red');
    await reconcileNow(running.reconciler, namespace, 'web');
    await pastReconciles(2);
    assert.equal(await mode(), 'red');
    const app = await readApplication(kube(), namespace, 'web');
    const ready = readyOf(app);
    assert.equal(ready?.status, 'True');
    assert.match(
      ready?.message ?? '',
      new RegExp(
        `1 object\\(s\\) changed in the cluster and left as they are \\(selfHeal is off\\): ConfigMap/${namespace}/settings: differs at data\\.mode`,
      ),
    );
    const events = await kube().list('v1', 'Event', { namespace });
    const drift = events.items.filter((e) => e.reason === 'DriftDetected');
    assert.equal(drift.length, 1, 'one Event for the drift, not one per interval');
    assert.match(String(drift[0]?.message), /ConfigMap\/.*\/settings: differs at data\.mode/);
  });

  test('applies a new commit, taking the object back', async () => {
    const commit = await repo.commit(
      { 'app/settings.yaml': configMap('settings', { mode: 'blue', size: 'large' }) },
      'second',
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'the new commit applied',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      40_000,
    );
    assert.equal(await mode(), 'blue');
    const app = await readApplication(kube(), namespace, 'web');
    assert.equal(readyOf(app)?.message, `applied revision main@sha1:${commit}`);
  });

  test('applies a new spec as well, and leaves later changes again', async () => {
    await patchByHand('green');
    await reconcileNow(running.reconciler, namespace, 'web');
    assert.equal(await mode(), 'green');
    const before = await readApplication(kube(), namespace, 'web');
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' }, selfHeal: false, timeout: '61s' },
      { username: git.username, password: git.password },
    );
    await waitFor('the new spec to take the object back', async () => (await mode()) === 'blue', {
      timeoutMs: 40_000,
    });
    const after = await waitForApplication(
      kube(),
      namespace,
      'web',
      'the new generation applied',
      (a) => (a.status?.lastAppliedGeneration ?? 0) > (before.status?.lastAppliedGeneration ?? 0),
    );
    assert.equal(after.status?.lastAppliedGeneration, after.metadata.generation);
    await patchByHand('yellow');
    await reconcileNow(running.reconciler, namespace, 'web');
    assert.equal(await mode(), 'yellow');
  });
});
