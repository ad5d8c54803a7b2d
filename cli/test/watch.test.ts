/**
 * What follows an Application from a watch: `get --watch` (lines appended without a terminal,
 * JSON lines with `-o json`, the table redrawn in place on a terminal) and `sync --wait`'s
 * per-step progress; `-o yaml` of `get`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'yaml';
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
import { bin, kustodian, limitedKubeconfig, started } from './support.ts';

const env = localEnv();

describe('kustodian get --watch and sync --wait progress', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('watch');
    const repo = await git.repo('team/watch');
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
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('get -o yaml prints the Application as YAML', async () => {
    const run = await kustodian(admin(), 'get', 'web', '-n', namespace, '-o', 'yaml');
    assert.equal(run.code, 0, run.stderr);
    const app = parse(run.stdout) as { name: string; namespace: string; ready: string };
    assert.deepEqual([app.name, app.namespace, app.ready], ['web', namespace, 'True']);
  });

  test('get --watch -o json prints the Application, then each change, and ends with 0 on SIGINT', async () => {
    const watch = started(
      process.execPath,
      [bin, 'get', 'web', '-n', namespace, '--watch', '-o', 'json'],
      admin(),
    );
    const lines = () =>
      watch
        .stdout()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { type: string; application: { suspended: boolean } });
    await watch.until('the first line', (out) => out.includes('\n'));
    assert.deepEqual(
      lines().map((l) => [l.type, l.application.suspended]),
      [['ADDED', false]],
    );
    assert.equal((await kustodian(admin(), 'suspend', 'web', '-n', namespace)).code, 0);
    await watch.until('the suspension', () => lines().some((l) => l.application.suspended));
    assert.equal((await kustodian(admin(), 'resume', 'web', '-n', namespace)).code, 0);
    await watch.until('the resumption', () => lines().at(-1)?.application.suspended === false);
    watch.child.kill('SIGINT');
    assert.equal(await watch.exited, 0, watch.stderr());
    assert.deepEqual(
      lines()
        .map((l) => l.type)
        .slice(0, 2),
      ['ADDED', 'MODIFIED'],
    );
  });

  test('get --watch without a terminal prints the header once and appends a row per change', async () => {
    const watch = started(process.execPath, [bin, 'get', '--watch', '-n', namespace], admin());
    await watch.until('the first row', (out) => out.split('\n').length >= 3);
    assert.equal((await kustodian(admin(), 'suspend', 'web', '-n', namespace)).code, 0);
    await watch.until('the suspended row', (out) => /^web\s+Suspended/m.test(out));
    assert.equal((await kustodian(admin(), 'resume', 'web', '-n', namespace)).code, 0);
    watch.child.kill('SIGINT');
    assert.equal(await watch.exited, 0, watch.stderr());
    const out = watch.stdout();
    assert.equal(out.match(/^NAME\s+READY/gm)?.length, 1, out);
    assert.match(out, /^web\s+True/m);
    assert.ok(!out.includes('\u001b'), out);
  });

  test('get --watch on a terminal redraws the table in place', async () => {
    const watch = started(
      'script',
      ['-qec', `'${process.execPath}' '${bin}' get web -n ${namespace} --watch`, '/dev/null'],
      admin(),
    );
    await watch.until('the table', (out) => out.includes('NAME'));
    assert.equal((await kustodian(admin(), 'suspend', 'web', '-n', namespace)).code, 0);
    // Two lines (header and row) up, clear, and the table again.
    await watch.until('the redraw', (out) => out.includes('\u001b[2A\u001b[J'));
    assert.equal((await kustodian(admin(), 'resume', 'web', '-n', namespace)).code, 0);
    watch.child.kill('SIGTERM');
    await watch.exited;
    const redrawn = watch.stdout().slice(watch.stdout().indexOf('\u001b[2A\u001b[J'));
    assert.match(redrawn, /Suspended/);
  });

  test('get --watch of a missing Application exits 3', async () => {
    const run = await kustodian(admin(), 'get', 'nope', '-n', namespace, '--watch');
    assert.equal(run.code, 3, run.stderr);
  });

  test('sync --wait shows each step, from waiting for the reconciler to health', async () => {
    const run = await kustodian(admin(), 'sync', 'web', '-n', namespace, '--wait');
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.match(
      lines[0] ?? '',
      new RegExp(
        `^sync ${namespace}/web: fetch … waiting for the reconciler to take the request  render ·`,
      ),
    );
    assert.match(
      lines.at(-1) ?? '',
      new RegExp(
        `^sync ${namespace}/web: fetch ✓  render ✓  apply ✓ 2/2 objects  prune ✓  health ✓ \\d+/\\d+ current$`,
      ),
    );
  });

  test('a user who may get and list but not watch Applications gets exit 4 naming watch', async () => {
    const reader = await limitedKubeconfig(env().kc, admin(), namespace, 'no-watch', [
      'get',
      'list',
    ]);
    const run = await kustodian(reader, 'get', 'web', '--watch');
    assert.equal(run.code, 4, run.stderr);
    assert.equal(
      run.stderr,
      `error: Applications in namespace ${namespace}: not allowed to watch applications.kustodian.dev: ask for RBAC permission "watch" on "applications.kustodian.dev"\n`,
    );
  });

  test('wait survives a quiet watch: past the 30 s client-node gives a silent watch it still ends as a timeout (exit 6)', async () => {
    // Nothing changes the Application while this waits, so the watch carries no events.
    const run = await kustodian(
      admin(),
      'wait',
      'web',
      '-n',
      namespace,
      '--revision',
      'deadbeef',
      '--timeout',
      '40',
    );
    assert.equal(run.code, 6, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`Application ${namespace}/web: not healthy at deadbeef within 40s`),
    );
  });
});
