/**
 * A reconcile cut short by a refresh (a webhook push, drift, a new spec) is not a failure: no
 * failed status, no Warning Event, no backoff; what it applied stays in the inventory, and the
 * next reconcile starts at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import {
  adminKube,
  createApplication,
  installCrd,
  readApplication,
  readyOf,
  reconciles,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
} from './support.ts';

const env = localEnv();

// No provisioner serves this class, so the claim stays Pending and the health wait keeps going.
const pendingClaim = `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: data
spec:
  storageClassName: nobody-provisions-this
  accessModes: [ReadWriteOnce]
  resources:
    requests:
      storage: 1Gi
`;

describe('a reconcile superseded while it waits for health', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('supersede');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('is not reported as a failure, keeps its inventory, and stays Reconciling', async () => {
    const repo = await git.repo('team/supersede');
    await repo.commit({ 'app/claim.yaml': pendingClaim }, 'a claim that stays pending');
    await createApplication(
      kube(),
      namespace,
      'slow',
      { source: { url: repo.url, path: 'app' }, timeout: '5m' },
      { username: git.username, password: git.password },
    );
    await waitForApplication(kube(), namespace, 'slow', 'Reconciling', (app) =>
      (app.status?.conditions ?? []).some((c) => c.type === 'Reconciling' && c.status === 'True'),
    );
    await waitFor('the claim to be applied', async () =>
      Boolean(
        await kube().get({
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace,
          name: 'data',
        }),
      ),
    );
    const before = await reconciles(running.reconciler);
    const controller = running.reconciler.controller();
    assert.ok(controller, 'the reconciler is leading');
    controller.refresh(`${namespace}/slow`, 'a push arrived');
    await waitFor('the superseded reconcile to end', async () => {
      return (await reconciles(running.reconciler)) > before;
    });

    const app = await readApplication(kube(), namespace, 'slow');
    assert.deepEqual(
      [readyOf(app)?.status, readyOf(app)?.reason],
      ['Unknown', 'Progressing'],
      JSON.stringify(readyOf(app)),
    );
    assert.ok(
      app.status?.inventory?.entries.some(
        (e) => e.id === `PersistentVolumeClaim/${namespace}/data`,
      ),
      'the applied claim is in the inventory',
    );
    const events = await kube().list('v1', 'Event', { namespace });
    const warnings = events.items.filter(
      (event) =>
        event.type === 'Warning' &&
        (event.involvedObject as { kind?: string } | undefined)?.kind === 'Application',
    );
    assert.deepEqual(
      warnings.map((event) => `${String(event.reason)}: ${String(event.message)}`),
      [],
    );
    const failures = running.logs.lines.filter(
      (line) =>
        line.application === `${namespace}/slow` &&
        (line.level === 'error' || line.level === 'warn'),
    );
    assert.deepEqual(failures, []);
  });
});
