/**
 * `kustodian logs` against the real API server: which pods it reads (those of the inventory's
 * workloads, through their ReplicaSets; not a stranger pod of the same namespace), what it says
 * when a pod runs on one of kwok's fake nodes (no kubelet serves logs there), and the RBAC error
 * naming pods/log.
 *
 * Not testable here: lines of a real log and `-f` streaming them, since kwok's fake nodes run
 * no containers and serve no logs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
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
} from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { kustodian, limitedKubeconfig } from './support.ts';

const env = localEnv();

describe('kustodian logs', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('logs');
    const repo = await git.repo('team/logs');
    await repo.commit(
      {
        'app/settings.yaml': configMap('settings', { mode: 'blue' }),
        'app/web.yaml': deployment('web', 'registry.example/web:1.0.0'),
      },
      'first',
    );
    running = await startTestReconciler(env(), namespace);
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'web Ready',
      (app) => readyOf(app)?.status === 'True',
    );
    // A pod of the same namespace that no inventory object owns.
    await env()
      .kc.makeApiClient(CoreV1Api)
      .createNamespacedPod({
        namespace,
        body: {
          metadata: { name: 'stranger' },
          spec: { containers: [{ name: 'stranger', image: 'registry.example/stranger:1' }] },
        },
      });
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  const podError = (container: string) =>
    new RegExp(
      `^error: pod ${namespace}/web-[a-z0-9]+-[a-z0-9]+ runs on node kwok-node-\\d+ without a kubelet that serves logs: no logs of container ${container} \\(HTTP \\d+\\)$`,
    );

  test('logs reads every pod of the Deployment and says that a kwok node serves no logs', async () => {
    const run = await kustodian(admin(), 'logs', 'web', '-n', namespace);
    assert.equal(run.code, 1, run.stderr);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    for (const line of lines) assert.match(line, podError('web'));
    assert.notEqual(lines[0], lines[1]);
    assert.doesNotMatch(run.stderr, /stranger/);
  });

  test('logs --object Deployment/web -c web -f reads the same pods, following', async () => {
    const run = await kustodian(
      admin(),
      'logs',
      'web',
      '-n',
      namespace,
      '--object',
      'Deployment/web',
      '-c',
      'web',
      '-f',
    );
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 2, run.stderr);
    for (const line of lines) assert.match(line, podError('web'));
  });

  test('logs of an object that is not a workload of the inventory, or of a missing container, exits 3', async () => {
    const object = await kustodian(
      admin(),
      'logs',
      'web',
      '-n',
      namespace,
      '--object',
      'ConfigMap/settings',
    );
    assert.equal(object.code, 3, object.stderr);
    assert.equal(
      object.stderr,
      `error: Application ${namespace}/web has no workload ConfigMap/settings in its inventory: see \`kustodian tree web -n ${namespace}\`\n`,
    );
    const container = await kustodian(admin(), 'logs', 'web', '-n', namespace, '-c', 'nope');
    assert.equal(container.code, 3, container.stderr);
    assert.equal(
      container.stderr,
      `error: no pod of Application ${namespace}/web has a container nope: its pods have web\n`,
    );
    const app = await kustodian(admin(), 'logs', 'nope', '-n', namespace);
    assert.equal(app.code, 3, app.stderr);
  });

  test('logs -o json is a usage error: logs prints log lines only', async () => {
    const run = await kustodian(admin(), 'logs', 'web', '-n', namespace, '-o', 'json');
    assert.equal(run.code, 2, run.stderr);
    assert.equal(run.stderr, 'error: logs prints log lines only: -o json does not apply\n');
  });

  test('a user who may read the workloads but not pods/log gets exit 4 naming pods/log and get', async () => {
    const reader = await limitedKubeconfig(env().kc, admin(), namespace, 'log-reader', ['get']);
    const rbac = env().kc.makeApiClient(RbacAuthorizationV1Api);
    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: 'log-reader-workloads' },
        rules: [
          {
            apiGroups: ['apps'],
            resources: ['deployments', 'replicasets'],
            verbs: ['get', 'list'],
          },
          { apiGroups: ['batch'], resources: ['jobs'], verbs: ['list'] },
          { apiGroups: [''], resources: ['pods'], verbs: ['list'] },
        ],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: 'log-reader-workloads' },
        roleRef: {
          apiGroup: 'rbac.authorization.k8s.io',
          kind: 'Role',
          name: 'log-reader-workloads',
        },
        subjects: [{ kind: 'ServiceAccount', name: 'log-reader', namespace }],
      },
    });
    const run = await kustodian(reader, 'logs', 'web');
    assert.equal(run.code, 4, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^error: pod ${namespace}/web-\\S+: not allowed to get pods/log in namespace ${namespace}: ask for RBAC permission "get" on "pods/log"\n$`,
      ),
    );
  });
});
