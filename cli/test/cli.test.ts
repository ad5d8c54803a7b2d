/**
 * The `kustodian` bin against the real API server and a real reconciler: get, sync --wait,
 * suspend/resume, history, and the errors a user can act on (no such Application, RBAC,
 * unreachable API server, suspended).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
} from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { kustodian, limitedKubeconfig, unreachableKubeconfig } from './support.ts';

const env = localEnv();

describe('the kustodian CLI', () => {
  let git: TestGit;
  let namespace: string;
  let commit: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('cli');
    const repo = await git.repo('team/cli');
    commit = await repo.commit(
      { 'app/settings.yaml': configMap('settings', { mode: 'blue' }) },
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
});
