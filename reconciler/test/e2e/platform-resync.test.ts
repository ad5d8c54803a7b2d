/**
 * Real-world shapes left alone across resyncs, on the real control plane: a CRD with a custom
 * resource of it, an aggregated ClusterRole with a role carrying its label, a Deployment scaled by
 * a HorizontalPodAutoscaler, a webhook configuration whose empty caBundle a CA injector fills in,
 * a Component adding labels and a patch, a generated ConfigMap holding a binary file and a
 * generated Secret, a StatefulSet with a volume claim template, a CronJob, an Ingress, a
 * PodDisruptionBudget, a Namespace the app creates, and quantities in forms the API server
 * normalizes. Once the Application is Ready, neither the interval nor a requested reconcile makes
 * the reconciler write to any of its objects or to the Application's status.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writesBy } from '../../../test/env/audit.ts';
import { reconcilerUserName } from '../../../test/env/control-plane.ts';
import { localEnv } from '../../../test/env/for-tests.ts';
import { requestedAtAnnotation } from '../../src/api/application.ts';
import {
  adminKube,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const run = promisify(execFile);
const fixtures = join(import.meta.dirname, 'testdata', 'platform');
const clusterScoped = [
  'resync-platform-extra',
  'gadgets.resync.example.test',
  'resync-platform-view',
  'resync-gadgets-reader',
  'resync-gadgets-check',
];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('a platform overlay across resyncs', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const kubectl = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', env().kubeconfig, ...args]);

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('resync');
    // The storage a cluster provides, for the StatefulSet's volume claim to bind to.
    await kube().apply({
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: { name: `${namespace}-cache-data` },
      spec: {
        capacity: { storage: '1Gi' },
        accessModes: ['ReadWriteOnce'],
        hostPath: { path: `/tmp/${namespace}-cache-data` },
        claimRef: { namespace, name: 'data-cache-0' },
      },
    });
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    // Without waiting: a bound PersistentVolume stays until its claim goes, a Namespace until its
    // objects do, and neither is this test's to wait for.
    const remove = (...what: string[]) =>
      kubectl('delete', '--ignore-not-found', '--wait=false', ...what).catch(() => {});
    await remove('namespace', 'resync-platform-extra');
    await remove('clusterrole', 'resync-platform-view', 'resync-gadgets-reader');
    await remove('validatingwebhookconfiguration', 'resync-gadgets-check');
    await remove('-n', namespace, 'persistentvolumeclaim', 'data-cache-0');
    await remove('persistentvolume', `${namespace}-cache-data`);
    await remove('crd', 'gadgets.resync.example.test');
  });

  test('a Ready application sees no write of the reconciler through three intervals and a requested reconcile', async () => {
    const files: Record<string, Uint8Array> = {};
    for (const name of await readdir(fixtures, { recursive: true })) {
      const path = join(fixtures, name);
      if ((await stat(path)).isFile()) files[`app/${name}`] = await readFile(path);
    }
    const repo = await git.repo('team/platform');
    await repo.commit(files, 'a platform overlay');
    await createApplication(
      kube(),
      namespace,
      'platform',
      // The minimum interval the reconciler accepts: more resyncs, more chances to write.
      { source: { url: repo.url, path: 'app' }, interval: '10s' },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'platform');
    // The binary file arrives as binaryData, byte for byte.
    const assets = (await kube().list('v1', 'ConfigMap', { namespace })).items.find((c) =>
      c.metadata.name.startsWith('assets-'),
    );
    assert.deepEqual(
      Buffer.from(String((assets?.binaryData as Record<string, string>)?.['logo.bin']), 'base64'),
      await readFile(join(fixtures, 'logo.bin')),
    );
    // The CA injector fills the caBundle in, as cert-manager's cainjector does.
    const caBundle = Buffer.from('a test CA bundle').toString('base64');
    await kubectl(
      ...['patch', 'validatingwebhookconfiguration', 'resync-gadgets-check', '--type=json'],
      ...['--field-manager=cainjector'],
      ...[
        '-p',
        JSON.stringify([
          { op: 'replace', path: '/webhooks/0/clientConfig/caBundle', value: caBundle },
        ]),
      ],
    );
    const since = Date.now();

    // Three intervals, then a reconcile requested through the annotation, then one more interval.
    await sleep(35_000);
    const requestedAt = new Date().toISOString();
    const requested = Date.now();
    await kubectl(
      'annotate',
      '--overwrite',
      '-n',
      namespace,
      'applications.kustodian.dev',
      'platform',
      `${requestedAtAnnotation}=${requestedAt}`,
    );
    await sleep(15_000);

    // Other tests' reconcilers write as the same user: only this Application's objects count.
    const ours = (w: { namespace?: string; name?: string }) =>
      w.namespace === undefined || w.namespace === ''
        ? clusterScoped.includes(w.name ?? '')
        : [namespace, 'resync-platform-extra'].includes(w.namespace);
    const described = (await writesBy(env().auditLog, reconcilerUserName, since))
      .filter((w) => !w.resource.startsWith('events') && !w.resource.startsWith('leases'))
      .filter(ours)
      .map((w) => ({ at: w.at, line: `${w.verb} ${w.resource} ${w.namespace ?? ''}/${w.name}` }));
    assert.deepEqual(
      described.filter((w) => w.at < requested).map((w) => w.line),
      [],
      'no write through three intervals',
    );
    // The requested reconcile is acknowledged once, in status, and touches nothing else.
    assert.deepEqual(
      described.filter((w) => w.at >= requested).map((w) => w.line),
      [`patch applications/status ${namespace}/platform`],
      'one status write acknowledges the request',
    );
    const webhook = await kube().get({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      name: 'resync-gadgets-check',
    });
    const webhooks = webhook?.webhooks as { clientConfig: { caBundle?: string } }[];
    assert.equal(webhooks[0]?.clientConfig.caBundle, caBundle, 'the injected caBundle stays');
    const app = await waitForApplication(kube(), namespace, 'platform', 'Ready', () => true);
    assert.equal(app.status?.lastHandledRequestedAt, requestedAt);
    assert.equal(readyOf(app)?.status, 'True');
  });
});
