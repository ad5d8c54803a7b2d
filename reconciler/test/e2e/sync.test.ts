/**
 * The reconciler against the real API server and a real git server: first sync, a resync that
 * writes nothing, a new commit, drift, pruning, and a broken commit that changes nothing.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writesBy } from '../../../test/env/audit.ts';
import { reconcilerUserName } from '../../../test/env/control-plane.ts';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { countsSince, writesIn } from '../../src/kube/requests.ts';
import {
  adminKube,
  configMap,
  createApplication,
  deployment,
  installCrd,
  readApplication,
  readyOf,
  reconcileNow,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const run = promisify(execFile);

describe('an Application synced by the reconciler', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('sync');
    repo = await git.repo('team/sync');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('syncs a first commit and becomes Ready once its Deployment has rolled out', async () => {
    const commit = await repo.commit(
      {
        'app/settings.yaml': configMap('settings', { mode: 'blue' }),
        'app/web.yaml': deployment('web', 'registry.example/web:1.0.0'),
        'app/extra.yaml': configMap('extra', { keep: 'until removed' }),
      },
      'first',
    );
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    const app = await waitUntilReady(kube(), namespace, 'web');
    assert.equal(app.status?.lastAppliedRevision, `main@sha1:${commit}`);
    assert.equal(app.status?.health?.status, 'Healthy');
    const writes = await writesBy(env().auditLog, reconcilerUserName);
    assert.ok(
      writes.some(
        (w) => w.resource === 'deployments' && w.verb === 'patch' && w.namespace === namespace,
      ),
      'the audit log shows the reconciler applying the Deployment',
    );
    assert.deepEqual(
      app.status?.inventory?.entries.map((e) => e.id),
      [
        `ConfigMap/${namespace}/extra`,
        `ConfigMap/${namespace}/settings`,
        `apps/Deployment/${namespace}/web`,
      ],
    );
    const web = await kube().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: 'web',
    });
    assert.equal((web?.status as { readyReplicas?: number } | undefined)?.readyReplicas, 2);
    assert.equal(
      (web?.metadata.labels as Record<string, string> | undefined)?.[
        'app.kubernetes.io/managed-by'
      ],
      'kustodian',
    );
  });

  test('makes no write request when it resyncs a revision that is already applied', async () => {
    const since = Date.now();
    const before = running.reconciler.kube.requestCounts();
    await reconcileNow(running.reconciler, namespace, 'web');
    await reconcileNow(running.reconciler, namespace, 'web');
    const made = countsSince(before, running.reconciler.kube.requestCounts());
    assert.equal(writesIn(made), 0, `write requests: ${JSON.stringify(made)}`);
    // Once the drift watch has read the objects (it starts after the first sync), a resync
    // neither reads nor dry-runs what it shows unchanged (issue 11): no request for them at all
    // (before, a get and a dry run of each of the three).
    await waitFor(
      'a resync that sends no read and no dry run',
      async () => {
        const start = running.reconciler.kube.requestCounts();
        await reconcileNow(running.reconciler, namespace, 'web');
        const resync = countsSince(start, running.reconciler.kube.requestCounts());
        assert.equal(writesIn(resync), 0, `write requests: ${JSON.stringify(resync)}`);
        // The one read left is of the Application's git credentials (`wiring/source.ts`).
        return resync.get <= 1 && resync.list + resync.dryRunApply === 0;
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // The API server agrees: its audit log holds no write by the reconciler's user in this
    // namespace since (other test files run reconcilers of their own meanwhile), while it does
    // hold the writes of the first sync, so the log is being read.
    const audited = (await writesBy(env().auditLog, reconcilerUserName)).filter(
      (w) => w.namespace === namespace,
    );
    assert.ok(audited.length > 0, 'the audit log holds the first sync of this namespace');
    assert.deepEqual(
      audited.filter((w) => w.at >= since),
      [],
    );
  });

  test('applies a new commit within one interval', async () => {
    const commit = await repo.commit(
      { 'app/settings.yaml': configMap('settings', { mode: 'green' }) },
      'go green',
    );
    const app = await waitForApplication(
      kube(),
      namespace,
      'web',
      'the new revision',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      30_000,
    );
    assert.equal(readyOf(app)?.status, 'True');
    const settings = await kube().get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'settings',
    });
    assert.deepEqual(settings?.data, { mode: 'green' });
  });

  test('reverts a change made by hand', async () => {
    await run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      '-n',
      namespace,
      'patch',
      'configmap',
      'settings',
      '--type=merge',
      '-p',
      '{"data":{"mode":"hand-edited"}}',
    ]);
    const edited = await kube().get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace,
      name: 'settings',
    });
    assert.equal((edited?.data as Record<string, string> | undefined)?.mode, 'hand-edited');
    await waitFor(
      'the hand edit to be reverted',
      async () => {
        const live = await kube().get({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace,
          name: 'settings',
        });
        return (live?.data as Record<string, string> | undefined)?.mode === 'green';
      },
      { timeoutMs: 30_000 },
    );
  });

  test('prunes the object of a deleted file and leaves objects it does not own', async () => {
    await kube().apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'foreign', namespace },
      data: { owner: 'someone else' },
    });
    const commit = await repo.commit({ 'app/extra.yaml': null }, 'drop extra');
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'the pruning revision',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      30_000,
    );
    assert.equal(
      await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'extra' }),
      undefined,
    );
    assert.ok(
      await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'foreign' }),
    );
    const app = await readApplication(kube(), namespace, 'web');
    assert.ok(!app.status?.inventory?.entries.some((e) => e.id.endsWith('/extra')));
  });

  test('a broken commit after a good one writes nothing, deletes nothing and says BuildFailed', async () => {
    const liveBefore = await kube().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: 'web',
    });
    const good = (await readApplication(kube(), namespace, 'web')).status?.lastAppliedRevision;
    const countsBefore = running.reconciler.kube.requestCounts();
    const since = Date.now();
    const broken = await repo.commit(
      {
        'app/kustomization.yaml': 'resources:\n  - settings.yaml\n  - web.yaml\n  - missing.yaml\n',
      },
      'break the build',
    );
    const app = await waitForApplication(
      kube(),
      namespace,
      'web',
      'BuildFailed',
      (a) => readyOf(a)?.reason === 'BuildFailed',
      30_000,
    );
    assert.equal(app.status?.lastAttemptedRevision, `main@sha1:${broken}`);
    assert.equal(app.status?.lastAppliedRevision, good);
    assert.ok(app.status?.conditions?.some((c) => c.type === 'Stalled' && c.status === 'True'));
    assert.match(readyOf(app)?.message ?? '', /missing\.yaml/);
    const made = countsSince(countsBefore, running.reconciler.kube.requestCounts());
    assert.equal(made.delete, 0);
    const writes = (await writesBy(env().auditLog, reconcilerUserName, since)).filter(
      (w) => w.namespace === namespace,
    );
    assert.deepEqual(
      writes.filter((w) => w.resource !== 'applications/status' && w.resource !== 'events'),
      [],
      'only status and Events were written',
    );
    const liveAfter = await kube().get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      name: 'web',
    });
    assert.equal(liveAfter?.metadata.resourceVersion, liveBefore?.metadata.resourceVersion);
    assert.ok(
      await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings' }),
    );
  });
});
