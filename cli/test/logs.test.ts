/**
 * `kustodian logs` against the real API server, whose fake nodes serve the `web` container's log
 * from a file (see `test/env/pod-logs.ts`): which pods it reads (those of the inventory's
 * workloads, through their ReplicaSets; not a stranger pod of the same namespace), the lines
 * prefixed pod/container, `-f` printing lines as they are appended until interrupted, a container
 * whose log the node cannot read (`sidecar`: no file serves it) named on stderr while the others
 * still print, and the RBAC error naming pods/log.
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
import { podLogs, type ServedLogs } from '../../test/env/pod-logs.ts';
import { bin, kustodian, limitedKubeconfig, started } from './support.ts';

const env = localEnv();

describe('kustodian logs', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  let logs: ServedLogs;
  /** The Deployment's pods, by name. */
  let pods: string[];
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;
  const first = ['listening on :8080', 'GET /healthz 200'];

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('logs');
    // Before the pods exist: kwok learns of the ClusterLogs through a watch.
    logs = await podLogs(env()).serve({ namespace, containers: ['web'] });
    await logs.append(first);
    const repo = await git.repo('team/logs');
    await repo.commit(
      {
        'app/settings.yaml': configMap('settings', { mode: 'blue' }),
        'app/web.yaml': withSidecar(deployment('web', 'registry.example/web:1.0.0')),
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
    const listed = await env()
      .kc.makeApiClient(CoreV1Api)
      .listNamespacedPod({ namespace, labelSelector: 'app=web' });
    pods = listed.items.map((pod) => pod.metadata?.name ?? '').sort();
    assert.equal(pods.length, 2);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    await logs?.stop();
  });

  /** `pod/container line` for every pod, pod after pod. */
  const prefixed = (container: string, lines: readonly string[]) =>
    pods.flatMap((pod) => lines.map((line) => `${pod}/${container} ${line}`));
  /** stdout's lines grouped pod after pod (in name order), each pod's in the order printed. */
  const byPod = (stdout: string) => {
    const podOf = (line: string) => line.split('/')[0] ?? '';
    return stdout
      .split('\n')
      .filter(Boolean)
      .sort((a, b) => (podOf(a) < podOf(b) ? -1 : podOf(a) > podOf(b) ? 1 : 0));
  };

  test('logs -c web prints every line of every pod of the Deployment, prefixed pod/container', async () => {
    const run = await kustodian(admin(), 'logs', 'web', '-n', namespace, '-c', 'web');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    assert.deepEqual(byPod(run.stdout), prefixed('web', first));
    assert.doesNotMatch(run.stdout, /stranger/);
  });

  test('logs of every container names on stderr each container whose log its node cannot read, prints the others, and exits 1', async () => {
    const run = await kustodian(admin(), 'logs', 'web', '-n', namespace);
    assert.equal(run.code, 1, run.stderr);
    assert.deepEqual(byPod(run.stdout), prefixed('web', first));
    const errors = run.stderr.trimEnd().split('\n').sort();
    assert.deepEqual(
      errors,
      pods.map(
        (pod) =>
          `error: pod ${namespace}/${pod}: its node has no log of container sidecar (HTTP 400): the container has not started, or the node keeps no log of it`,
      ),
    );
  });

  test('logs --object Deployment/web -c web prints the same lines', async () => {
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
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(byPod(run.stdout), prefixed('web', first));
  });

  test('logs -f prints the lines so far, then each line appended to the log, until SIGINT ends it with 0', async () => {
    const follow = started(
      process.execPath,
      [bin, 'logs', 'web', '-n', namespace, '--object', 'Deployment/web', '-c', 'web', '-f'],
      admin(),
    );
    const has = (lines: string[]) => (out: string) => lines.every((l) => out.includes(`${l}\n`));
    await follow.until('the lines so far', has(prefixed('web', first)));
    const later = ['GET /api/orders 200', 'GET /api/orders/7 404'];
    await logs.append(later);
    await follow.until('the appended lines', has(prefixed('web', later)));
    follow.child.kill('SIGINT');
    assert.equal(await follow.exited, 0, follow.stderr());
    assert.equal(follow.stderr(), '');
    assert.deepEqual(byPod(follow.stdout()), prefixed('web', [...first, ...later]));
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
      `error: no pod of Application ${namespace}/web has a container nope: its pods have web, sidecar\n`,
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

/** A second container, `sidecar`, in the Deployment's pod template. */
function withSidecar(yaml: string): string {
  return `${yaml}        - name: sidecar
          image: registry.example/sidecar:1.0.0
`;
}
