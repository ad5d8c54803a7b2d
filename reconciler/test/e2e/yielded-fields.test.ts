/**
 * Fields that another controller owns by design, on the real control plane: an aggregated
 * ClusterRole's rules, written by kube-controller-manager's aggregation controller, and a webhook
 * configuration's caBundle left empty in git and filled in by a CA injector, and the replicas of
 * a Deployment that kube-controller-manager's HorizontalPodAutoscaler controller scales. The
 * reconciler leaves them to their controllers: the audit log holds no write of its own to any of
 * them after the first sync.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writesBy } from '../../../test/env/audit.ts';
import { reconcilerUserName } from '../../../test/env/control-plane.ts';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  adminKube,
  createApplication,
  deployment,
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
const leftAloneMs = 120_000;

describe('fields other controllers own by design', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const suffix = randomBytes(3).toString('hex');
  const label = `example.test/aggregate-${suffix}`;
  const aggregated = `platform-view-${suffix}`;
  const upgraded = `platform-edit-${suffix}`;
  const webhook = `policy-${suffix}`;
  const kube = () => adminKube(env());
  const clusterRole = (name: string) =>
    kube().get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name });
  const rulesOf = async (name: string) =>
    ((await clusterRole(name))?.rules as { resources?: string[] }[] | undefined) ?? [];
  const reconcilerWrites = async (resource: string, name: string, since = 0) =>
    (await writesBy(env().auditLog, reconcilerUserName, since)).filter(
      (w) => w.resource === resource && w.name === name,
    );

  const aggregatedRole = (name: string) => `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${name}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        ${label}: "true"
rules: []
`;
  const files = {
    'app/aggregated.yaml': aggregatedRole(aggregated),
    'app/upgraded.yaml': aggregatedRole(upgraded),
    'app/part.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-reader-${suffix}
  labels:
    ${label}: "true"
rules:
  - apiGroups: [example.test]
    resources: [widgets-${suffix}]
    verbs: [get, list, watch]
`,
    'app/webhook.yaml': `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: ${webhook}
  annotations:
    cert-manager.io/inject-ca-from: policy-system/policy-serving-cert
webhooks:
  - name: validate.${suffix}.example.test
    clientConfig:
      caBundle: ""
      url: https://127.0.0.1:1/validate
    rules:
      - apiGroups: [example.test]
        apiVersions: [v1]
        operations: [CREATE]
        resources: [nothing-${suffix}]
    failurePolicy: Ignore
    sideEffects: None
    admissionReviewVersions: [v1]
`,
  };

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('yielded');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    for (const name of [aggregated, upgraded, `widgets-reader-${suffix}`])
      await run('kubectl', ['--kubeconfig', env().kubeconfig, 'delete', 'clusterrole', name]).catch(
        () => {},
      );
    await run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      'delete',
      'validatingwebhookconfiguration',
      webhook,
    ]).catch(() => {});
  });

  test('an aggregated ClusterRole and an injected caBundle are left to their controllers for two minutes', async () => {
    // A role that an earlier apply left owning `rules: []`, as a reconciler that claimed them
    // would have: once the controller has aggregated it, the next apply must not empty it.
    await kube().apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: upgraded },
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [label]: 'true' } }] },
      rules: [],
    } as KubeObject);

    const repo = await git.repo('team/yielded');
    await repo.commit(files, 'aggregated roles and a webhook');
    await createApplication(
      kube(),
      namespace,
      'platform',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'platform');
    for (const name of [aggregated, upgraded]) {
      await waitFor(`${name} to be aggregated`, async () => (await rulesOf(name)).length > 0);
    }
    // The CA injector fills the caBundle in, as cert-manager's cainjector does (an update).
    const caBundle = Buffer.from('a test CA bundle').toString('base64');
    await run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      'patch',
      'validatingwebhookconfiguration',
      webhook,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: caBundle }]),
    ]);

    // Left alone across many intervals and drift watch events.
    const since = Date.now();
    const deadline = since + leftAloneMs;
    while (Date.now() < deadline) {
      for (const name of [aggregated, upgraded]) {
        assert.ok((await rulesOf(name)).length > 0, `${name} keeps its aggregated rules`);
      }
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }

    const live = await kube().get({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      name: webhook,
    });
    const webhooks = live?.webhooks as { clientConfig: { caBundle?: string } }[];
    assert.equal(webhooks[0]?.clientConfig.caBundle, caBundle, 'the injected caBundle stays');
    assert.deepEqual(
      (await rulesOf(aggregated)).flatMap((rule) => rule.resources ?? []),
      [`widgets-${suffix}`],
    );
    // At most the first sync's write to each, and none while left alone.
    for (const name of [aggregated, upgraded]) {
      assert.ok((await reconcilerWrites('clusterroles', name)).length <= 1, `${name}: one write`);
      assert.deepEqual(await reconcilerWrites('clusterroles', name, since), [], name);
    }
    assert.deepEqual(
      await reconcilerWrites('validatingwebhookconfigurations', webhook, since),
      [],
      'no write reverts the injected caBundle',
    );
    const app = await waitForApplication(kube(), namespace, 'platform', 'Ready', () => true);
    assert.equal(readyOf(app)?.status, 'True');
    assert.doesNotMatch(readyOf(app)?.message ?? '', /drift/i);
  });

  test('a Deployment scaled by its HorizontalPodAutoscaler keeps the replicas the autoscaler set', async () => {
    const repo = await git.repo('team/scaled');
    await repo.commit(
      {
        'app/deployment.yaml': deployment('scaled', 'registry.example.test/scaled:1.0.0', 2),
        'app/hpa.yaml': `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: scaled
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: scaled
  minReplicas: 3
  maxReplicas: 5
  metrics:
    - type: Resource
      resource:
        name: cpu
        target: { type: Utilization, averageUtilization: 80 }
`,
      },
      'a Deployment and its autoscaler',
    );
    await createApplication(
      kube(),
      namespace,
      'scaled',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'scaled');
    const replicas = async () =>
      (
        (await kube().get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'scaled' }))
          ?.spec as { replicas?: number } | undefined
      )?.replicas;
    // Below minReplicas, the autoscaler scales up without waiting for metrics.
    await waitFor(
      'the autoscaler to scale the Deployment to 3',
      async () => (await replicas()) === 3,
      {
        timeoutMs: 60_000,
      },
    );
    const since = Date.now();
    // Three intervals of the Application, and the drift watch seeing the autoscaler's write.
    await new Promise((resolve) => setTimeout(resolve, 35_000));
    assert.equal(await replicas(), 3);
    const writes = (await writesBy(env().auditLog, reconcilerUserName, since)).filter(
      (w) =>
        w.namespace === namespace && w.name === 'scaled' && w.resource.startsWith('deployments'),
    );
    assert.deepEqual(writes, [], 'no write takes the replicas back');
  });
});
