/**
 * The `kustodian` bin against the real API server and a real reconciler: get, sync --wait,
 * suspend/resume, history, and the errors a user can act on (no such Application, RBAC,
 * unreachable API server, suspended).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
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
  type WorkRepo,
  waitForApplication,
} from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { bin, kustodian, limitedKubeconfig, unreachableKubeconfig } from './support.ts';

const env = localEnv();

describe('the kustodian CLI', () => {
  let git: TestGit;
  let namespace: string;
  let commit: string;
  let repo: WorkRepo;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('cli');
    repo = await git.repo('team/cli');
    commit = await repo.commit(
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
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('get -o json prints the Application with Ready, Health and the applied revision', async () => {
    const run = await kustodian(admin(), 'get', 'web', '-n', namespace, '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const app = JSON.parse(run.stdout);
    assert.equal(app.name, 'web');
    assert.equal(app.namespace, namespace);
    assert.equal(app.ready, 'True');
    assert.equal(app.revision, `main@sha1:${commit}`);
    assert.equal(app.commit, commit);
  });

  test('get -A lists the Application in a table with its namespace', async () => {
    const run = await kustodian(admin(), 'get', '-A');
    assert.equal(run.code, 0, run.stderr);
    const line = run.stdout.split('\n').find((l) => l.startsWith(`${namespace} `));
    assert.ok(line, run.stdout);
    assert.match(line, /\bweb\b.*\bTrue\b/);
    assert.match(run.stdout.split('\n')[0] ?? '', /^NAMESPACE\s+NAME\s+READY\s+HEALTH\s+REVISION/);
  });

  test('sync --wait requests a reconcile, waits until it is handled and exits 0', async () => {
    const run = await kustodian(admin(), 'sync', 'web', '-n', namespace, '--wait', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const app = JSON.parse(run.stdout);
    assert.equal(app.ready, 'True');
    assert.equal(app.handledRequestedAt, app.requestedAt);
  });

  test('history lists the syncs with their revision', async () => {
    const run = await kustodian(admin(), 'history', 'web', '-n', namespace, '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const history = JSON.parse(run.stdout) as { revision: string; result: string }[];
    assert.ok(history.length >= 1);
    assert.equal(history[0]?.revision, `main@sha1:${commit}`);
    assert.equal(history[0]?.result, 'Succeeded');
  });

  test('sync of a suspended Application exits 7 and says how to resume it', async () => {
    const suspend = await kustodian(admin(), 'suspend', 'web', '-n', namespace);
    assert.equal(suspend.code, 0, suspend.stderr);
    assert.equal(suspend.stdout, `Application ${namespace}/web suspended\n`);
    const sync = await kustodian(admin(), 'sync', 'web', '-n', namespace);
    assert.equal(sync.code, 7);
    assert.match(
      sync.stderr,
      new RegExp(`Application ${namespace}/web is suspended: resume it with`),
    );
    const resume = await kustodian(admin(), 'resume', 'web', '-n', namespace, '-o', 'json');
    assert.equal(resume.code, 0, resume.stderr);
    assert.equal(JSON.parse(resume.stdout).suspended, false);
  });

  test('get of a missing Application exits 3 and names it, without a stack trace', async () => {
    const run = await kustodian(admin(), 'get', 'nope', '-n', namespace);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      new RegExp(`^error: Application ${namespace}/nope not found in namespace ${namespace}`),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  test('an unreachable API server exits 5 and names the server', async () => {
    const run = await kustodian(await unreachableKubeconfig(admin()), 'get', '-n', namespace);
    assert.equal(run.code, 5, run.stderr);
    assert.match(run.stderr, /the API server at https:\/\/127\.0\.0\.1:1 is unreachable/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  test('a user who may only get and list Applications can read them, and sync names the missing patch', async () => {
    const reader = await limitedKubeconfig(env().kc, admin(), namespace, 'reader', ['get', 'list']);
    const get = await kustodian(reader, 'get', 'web', '-o', 'json');
    assert.equal(get.code, 0, get.stderr);
    assert.equal(JSON.parse(get.stdout).name, 'web');
    const history = await kustodian(reader, 'history', 'web');
    assert.equal(history.code, 0, history.stderr);
    const sync = await kustodian(reader, 'sync', 'web');
    assert.equal(sync.code, 4);
    assert.match(sync.stderr, /not allowed to patch applications\.kustodian\.dev in namespace/);
    assert.match(sync.stderr, /"patch"/);
    assert.doesNotMatch(sync.stderr + sync.stdout, /token|eyJ/);
  });

  test('tree nests the ReplicaSet and its Pods under the Deployment, with health and drift', async () => {
    const run = await kustodian(admin(), 'tree', 'web', '-n', namespace, '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const nodes = JSON.parse(run.stdout) as {
      kind: string;
      name: string;
      health: string;
      drift: string;
      children: { kind: string; children: { kind: string }[] }[];
    }[];
    const web = nodes.find((n) => n.kind === 'Deployment');
    assert.equal(web?.name, 'web');
    assert.equal(web?.health, 'Current');
    assert.equal(web?.drift, 'InSync');
    assert.deepEqual(
      web?.children.map((c) => c.kind),
      ['ReplicaSet'],
    );
    assert.deepEqual(
      web?.children[0]?.children.map((c) => c.kind),
      ['Pod', 'Pod'],
    );
    assert.equal(nodes.find((n) => n.kind === 'ConfigMap')?.drift, 'InSync');
    const table = await kustodian(admin(), 'tree', 'web', '-n', namespace);
    assert.match(table.stdout, /^Deployment\/web\s+Current\s+InSync/m);
    assert.match(table.stdout, /^└─ ReplicaSet\/web-\S+\s+Current/m);
    assert.match(table.stdout, /^ {3}├─ Pod\/web-/m);
  });

  test('tree shows a ConfigMap changed by someone else as Changed, naming the manager', async () => {
    // Suspended, so that self-heal does not revert the change before it is looked at.
    assert.equal((await kustodian(admin(), 'suspend', 'web', '-n', namespace)).code, 0);
    await env()
      .kc.makeApiClient(CoreV1Api)
      .patchNamespacedConfigMap(
        {
          namespace,
          name: 'settings',
          fieldManager: 'someone',
          body: [{ op: 'replace', path: '/data/mode', value: 'green' }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    const run = await kustodian(admin(), 'tree', 'web', '-n', namespace, '-o', 'json');
    assert.equal((await kustodian(admin(), 'resume', 'web', '-n', namespace)).code, 0);
    const settings = (
      JSON.parse(run.stdout) as { kind: string; drift: string; note: string }[]
    ).find((n) => n.kind === 'ConfigMap');
    assert.equal(settings?.drift, 'Changed');
    assert.match(settings?.note ?? '', /someone/);
  });

  test('wait --for healthy --revision exits 0 once that commit is applied and healthy', async () => {
    const run = await kustodian(
      admin(),
      'wait',
      'web',
      '-n',
      namespace,
      '--for',
      'healthy',
      '--revision',
      commit.slice(0, 8),
      '-o',
      'json',
    );
    assert.equal(run.code, 0, run.stderr);
    assert.equal(JSON.parse(run.stdout).health, 'Healthy');
  });

  test('wait for a revision that never comes exits 6 after the timeout and says what it waited for', async () => {
    const run = await kustodian(
      admin(),
      'wait',
      'web',
      '-n',
      namespace,
      '--revision',
      'deadbeef',
      '--timeout',
      '2',
    );
    assert.equal(run.code, 6);
    assert.match(
      run.stderr,
      new RegExp(`Application ${namespace}/web: not healthy at deadbeef within 2s`),
    );
  });

  test('events lists the events of the Application', async () => {
    const run = await kustodian(admin(), 'events', 'web', '-n', namespace, '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const events = JSON.parse(run.stdout) as { object: string; reason: string }[];
    assert.ok(
      events.some((e) => e.object === 'Application/web'),
      run.stdout,
    );
  });

  test('completion prints a script naming every command, and a bad shell is a usage error', async () => {
    const bash = await kustodian(admin(), 'completion', 'bash');
    assert.equal(bash.code, 0);
    for (const name of ['get', 'tree', 'sync', 'wait', 'suspend', 'resume', 'history', 'events'])
      assert.match(bash.stdout, new RegExp(`\\b${name}\\b`));
    assert.equal((await kustodian(admin(), 'completion', 'tcsh')).code, 2);
  });

  test('on a terminal, get colours its table', async () => {
    const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) => {
      execFile(
        'script',
        ['-qec', `'${process.execPath}' '${bin}' get web -n ${namespace}`, '/dev/null'],
        { env: { ...process.env, KUBECONFIG: admin(), TERM: 'xterm' } },
        (error, out) => (error ? reject(error) : resolve({ stdout: out })),
      );
    });
    assert.ok(stdout.includes('\u001b[32mTrue\u001b[39m'), JSON.stringify(stdout));
    assert.ok(stdout.includes('\u001b[1mNAME\u001b[22m'), JSON.stringify(stdout));
  });

  test('a user who may only get Applications gets a tree that names the permission it lacks', async () => {
    const reader = await limitedKubeconfig(env().kc, admin(), namespace, 'tree-reader', ['get']);
    const run = await kustodian(reader, 'tree', 'web', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const settings = (
      JSON.parse(run.stdout) as { kind: string; health: string; note: string }[]
    ).find((n) => n.kind === 'ConfigMap');
    assert.equal(settings?.health, 'Unknown');
    assert.match(settings?.note ?? '', /not allowed to get configmaps in namespace/);
  });

  test('sync --wait of a broken commit exits 1 with the reason and the message', async () => {
    await repo.commit({ 'app/kustomization.yaml': 'resources: [missing.yaml]\n' }, 'broken');
    const run = await kustodian(
      admin(),
      'sync',
      'web',
      '-n',
      namespace,
      '--wait',
      '--timeout',
      '120',
    );
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`^error: Application ${namespace}/web failed: \\w+: .*missing\\.yaml`, 'm'),
    );
    await repo.commit(
      { 'app/kustomization.yaml': 'resources: [settings.yaml, web.yaml]\n' },
      'fixed',
    );
  });
});
