/**
 * Failure reasons name the step that failed, in the Ready condition and in the Event: a prune
 * the API server refuses is `PruneFailed`, a health wait that runs out is `HealthCheckFailed`,
 * never `ApplyFailed`. The refusal is a real ValidatingAdmissionPolicy (CEL, no webhook server).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import {
  adminKube,
  configMap,
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

describe('the reason a failed reconcile gives', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const policyName = () => `keep-doomed-${namespace}`;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('reasons');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    const policy = 'admissionregistration.k8s.io/v1';
    await kube()
      .delete({ apiVersion: policy, kind: 'ValidatingAdmissionPolicyBinding', name: policyName() })
      .catch(() => undefined);
    await kube()
      .delete({ apiVersion: policy, kind: 'ValidatingAdmissionPolicy', name: policyName() })
      .catch(() => undefined);
  });

  /** The Warning Events of an Application whose message starts with `reason`. */
  const eventsSaying = async (name: string, reason: string) => {
    const events = await kube().list('v1', 'Event', { namespace });
    return events.items.filter(
      (e) =>
        (e.involvedObject as { name?: string } | undefined)?.name === name &&
        e.reason === 'ReconcileFailed' &&
        String(e.message).startsWith(`${reason}: `),
    );
  };

  test('is PruneFailed, in Ready and the Event, when an admission policy refuses the delete', async () => {
    const repo = await git.repo('team/pruned');
    await repo.commit(
      {
        'keep.yaml': configMap('keep', { a: '1' }),
        'doomed.yaml': configMap('doomed', { b: '2' }),
      },
      'two ConfigMaps',
    );
    await createApplication(
      kube(),
      namespace,
      'pruned',
      { source: { url: repo.url } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'pruned');

    await kube().apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: policyName() },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              operations: ['DELETE'],
              resources: ['configmaps'],
            },
          ],
        },
        validations: [
          {
            expression: "oldObject.metadata.name != 'doomed'",
            message: 'doomed is kept by policy',
          },
        ],
      },
    });
    await kube().apply({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: policyName() },
      spec: {
        policyName: policyName(),
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
        },
      },
    });
    await repo.commit({ 'doomed.yaml': null }, 'doomed goes');

    // The policy takes effect a moment after it is stored; until then the prune may succeed,
    // which the retries below would show as Ready with doomed gone.
    const app = await waitForApplication(
      kube(),
      namespace,
      'pruned',
      'PruneFailed',
      (a) => readyOf(a)?.reason === 'PruneFailed',
      90_000,
    );
    assert.match(
      readyOf(app)?.message ?? '',
      /ConfigMap\/[^/]+\/doomed: .*doomed is kept by policy/,
    );
    assert.ok(
      app.status?.inventory?.entries.some((e) => e.id === `ConfigMap/${namespace}/doomed`),
      'what could not be pruned stays in the inventory',
    );
    assert.ok((await eventsSaying('pruned', 'PruneFailed')).length > 0, 'a PruneFailed Event');
    assert.equal((await eventsSaying('pruned', 'ApplyFailed')).length, 0, 'no ApplyFailed Event');
  });

  test('is HealthCheckFailed, in Ready, Healthy and the Event, when the health wait runs out', async () => {
    const repo = await git.repo('team/unschedulable');
    // No node carries this label, so the Deployment's pods stay Pending and it never rolls out.
    const pending = deployment('stuck', 'registry.example.invalid/stuck:1', 1).replace(
      '    spec:\n      containers:',
      '    spec:\n      nodeSelector: { kustodian.dev/test-no-such-node: "true" }\n      containers:',
    );
    assert.ok(pending.includes('nodeSelector'));
    await repo.commit({ 'stuck.yaml': pending }, 'a Deployment no node can run');
    await createApplication(
      kube(),
      namespace,
      'unschedulable',
      { source: { url: repo.url }, timeout: '5s' },
      { username: git.username, password: git.password },
    );
    const app = await waitForApplication(
      kube(),
      namespace,
      'unschedulable',
      'HealthCheckFailed',
      (a) => readyOf(a)?.reason === 'HealthCheckFailed',
      90_000,
    );
    assert.match(readyOf(app)?.message ?? '', /not healthy within 5s: .*stuck/);
    const healthy = app.status?.conditions?.find((c) => c.type === 'Healthy');
    assert.equal(healthy?.status, 'Unknown');
    assert.ok(
      (await eventsSaying('unschedulable', 'HealthCheckFailed')).length > 0,
      'a HealthCheckFailed Event',
    );
  });
});
