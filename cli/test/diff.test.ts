/**
 * `kustodian diff` against the real API server, git server and reconciler: on a corpus of
 * changes (image and replicas, ConfigMap data, a Secret, an added object, a removed one, an
 * unchanged one, an aggregated ClusterRole whose rules another controller owns), the diff names
 * the objects and fields the next sync then changes, and nothing after it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { changedPaths } from '@kustodian/shared/apply/compare';
import type { KubeObject, KubeRef } from '../../reconciler/src/kube/object.ts';
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
import { bin, kustodian, limitedKubeconfig } from './support.ts';

const env = localEnv();

interface DiffJson {
  application: { namespace: string; name: string };
  revision: string;
  objects: {
    id: string;
    kind: string;
    name: string;
    action: string;
    paths: string[];
    diff: string;
  }[];
  summary: Record<string, number>;
}

function secret(name: string, token: string): string {
  return `apiVersion: v1\nkind: Secret\nmetadata:\n  name: ${name}\nstringData:\n  token: ${token}\n`;
}

/** A ClusterRole whose rules the aggregation controller writes, and one it aggregates. */
function aggregated(prefix: string): string {
  return `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${prefix}-aggregate
aggregationRule:
  clusterRoleSelectors:
    - matchLabels: { aggregate-to: ${prefix} }
rules: []
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${prefix}-part
  labels: { aggregate-to: ${prefix} }
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get]
`;
}

describe('kustodian diff', () => {
  let git: TestGit;
  let namespace: string;
  let repo: WorkRepo;
  let first: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;
  const diff = (...args: string[]) =>
    kustodian(admin(), 'diff', 'web', '-n', namespace, '--allow-http', ...args);
  const files = (over: Record<string, string | null> = {}) => ({
    'app/settings.yaml': configMap('settings', { mode: 'blue' }),
    'app/old.yaml': configMap('old', { left: 'soon' }),
    'app/web.yaml': deployment('web', 'registry.example/web:1.0.0', 2),
    'app/creds.yaml': secret('creds', 'first-secret-value'),
    'app/roles.yaml': aggregated(namespace),
    ...over,
  });
  const live = (ref: KubeRef) => kube().get(ref);
  const ids = (d: DiffJson, action: string) =>
    d.objects.filter((o) => o.action === action).map((o) => o.id);

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('cli-diff');
    repo = await git.repo('team/cli-diff');
    first = await repo.commit(files(), 'first');
    running = await startTestReconciler(env(), namespace);
    await createApplication(
      kube(),
      namespace,
      'web',
      // No resync on a timer: only the syncs the tests ask for change the cluster.
      { source: { url: repo.url, path: 'app' }, interval: '1h', retryInterval: '1h' },
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

  test('right after a sync there are no differences, the aggregated rules included, and it exits 0', async () => {
    const role = {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      name: `${namespace}-aggregate`,
    };
    for (let i = 0; i < 100; i++) {
      const rules = (await live(role))?.rules;
      if (Array.isArray(rules) && rules.length > 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(
      (((await live(role))?.rules ?? []) as unknown[]).length > 0,
      'the aggregation controller filled in the rules',
    );
    const run = await diff('-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stderr, '');
    const result = JSON.parse(run.stdout) as DiffJson;
    assert.equal(result.revision, `main@sha1:${first}`);
    assert.equal(result.objects.length, 6);
    assert.deepEqual(ids(result, 'unchanged').length, 6);
    assert.ok(result.objects.every((o) => o.paths.length === 0 && o.diff === ''));
    const table = await diff();
    assert.equal(table.code, 0, table.stderr);
    assert.equal(
      table.stdout,
      `Application ${namespace}/web at main@sha1:${first}: no differences (6 unchanged)\n`,
    );
  });

  test('diff names the objects and fields the next sync changes, and is empty after it', async () => {
    const second = await repo.commit(
      files({
        'app/web.yaml': deployment('web', 'registry.example/web:1.1.0', 3),
        'app/settings.yaml': configMap('settings', { mode: 'green' }),
        'app/creds.yaml': secret('creds', 'second-secret-value'),
        'app/added.yaml': configMap('added', { fresh: 'yes' }),
        'app/old.yaml': null,
      }),
      'second',
    );
    const run = await diff('-o', 'json');
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as DiffJson;
    assert.equal(result.revision, `main@sha1:${second}`);
    const web = `apps/Deployment/${namespace}/web`;
    const settings = `ConfigMap/${namespace}/settings`;
    const creds = `Secret/${namespace}/creds`;
    const added = `ConfigMap/${namespace}/added`;
    const old = `ConfigMap/${namespace}/old`;
    assert.deepEqual(ids(result, 'update').sort(), [creds, settings, web].sort());
    assert.deepEqual(ids(result, 'create'), [added]);
    assert.deepEqual(ids(result, 'prune'), [old]);
    assert.deepEqual(ids(result, 'unchanged').sort(), [
      `rbac.authorization.k8s.io/ClusterRole/${namespace}-aggregate`,
      `rbac.authorization.k8s.io/ClusterRole/${namespace}-part`,
    ]);
    const paths = (id: string) => result.objects.find((o) => o.id === id)?.paths;
    assert.deepEqual(paths(web), ['spec.replicas', 'spec.template.spec.containers[0].image']);
    assert.deepEqual(paths(settings), ['data.mode']);
    assert.deepEqual(paths(creds), ['data.token']);
    assert.deepEqual(result.summary, {
      create: 1,
      update: 3,
      prune: 1,
      unchanged: 2,
      drift: 0,
      failed: 0,
    });
    // A Secret's values never show, neither as written nor base64-encoded.
    for (const value of ['first-secret-value', 'second-secret-value'])
      for (const text of [value, Buffer.from(value).toString('base64')])
        assert.ok(!run.stdout.includes(text), `the diff shows ${text}`);
    assert.match(
      result.objects.find((o) => o.id === creds)?.diff ?? '',
      /\*\*\* \(before\)[\s\S]*\*\*\* \(after\)/,
    );

    // What the sync then changes, object by object and field by field.
    const refs: Record<string, KubeRef> = {
      [web]: { apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: 'web' },
      [settings]: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings' },
      [creds]: { apiVersion: 'v1', kind: 'Secret', namespace, name: 'creds' },
      [added]: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'added' },
      [old]: { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'old' },
      ...Object.fromEntries(
        ['aggregate', 'part'].map((part) => [
          `rbac.authorization.k8s.io/ClusterRole/${namespace}-${part}`,
          {
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRole',
            name: `${namespace}-${part}`,
          },
        ]),
      ),
    };
    const snapshot = async () =>
      Object.fromEntries(
        await Promise.all(
          Object.entries(refs).map(async ([id, ref]) => [id, await live(ref)] as const),
        ),
      );
    const beforeSync = await snapshot();
    const sync = await kustodian(admin(), 'sync', 'web', '-n', namespace, '--wait');
    assert.equal(sync.code, 0, sync.stderr);
    const afterSync = await snapshot();
    for (const object of result.objects) {
      const [was, is] = [beforeSync[object.id], afterSync[object.id]];
      if (object.action === 'create') assert.ok(!was && is, `${object.id} was created`);
      else if (object.action === 'prune') assert.ok(was && !is, `${object.id} was pruned`);
      else {
        assert.ok(was && is, object.id);
        assert.deepEqual(
          changedBySync(was, is),
          object.paths,
          `the fields of ${object.id} the sync changed`,
        );
      }
    }

    const again = await diff('-o', 'json');
    assert.equal(again.code, 0, again.stderr);
    const empty = JSON.parse(again.stdout) as DiffJson;
    assert.deepEqual(empty.summary, {
      create: 0,
      update: 0,
      prune: 0,
      unchanged: 6,
      drift: 0,
      failed: 0,
    });
  });

  test('the table shows each change as a unified diff of its YAML and a summary line, without colours off a terminal', async () => {
    await repo.commit(
      { 'app/web.yaml': deployment('web', 'registry.example/web:1.1.0', 4) },
      'more',
    );
    const run = await diff();
    assert.equal(run.code, 1, run.stderr);
    assert.ok(!run.stdout.includes('\u001b['), 'no colour codes');
    assert.match(run.stdout, /^update Deployment\/\S+\/web: spec\.replicas$/m);
    assert.match(run.stdout, new RegExp(`^--- live/apps/Deployment/${namespace}/web$`, 'm'));
    assert.match(run.stdout, new RegExp(`^\\+\\+\\+ sync/apps/Deployment/${namespace}/web$`, 'm'));
    assert.match(run.stdout, /^@@ -\d+,\d+ \+\d+,\d+ @@$/m);
    assert.match(run.stdout, /^- {2}replicas: 3$/m);
    assert.match(run.stdout, /^\+ {2}replicas: 4$/m);
    assert.match(run.stdout, /: 1 to update, 5 unchanged\n$/);
  });

  test('on a terminal, removed lines are red and added lines green', async () => {
    const stdout = await new Promise<string>((resolve) => {
      execFile(
        'script',
        [
          '-qec',
          // stderr (the spinner) elsewhere: stdout alone is looked at.
          `'${process.execPath}' '${bin}' diff web -n ${namespace} --allow-http 2>/dev/null`,
          '/dev/null',
        ],
        { env: { ...process.env, KUBECONFIG: admin(), TERM: 'xterm' } },
        // It exits 1: there are differences.
        (_error, out) => resolve(out),
      );
    });
    assert.ok(stdout.includes('\u001b[31m-  replicas: 3\u001b[39m'), JSON.stringify(stdout));
    assert.ok(stdout.includes('\u001b[32m+  replicas: 4\u001b[39m'), JSON.stringify(stdout));
  });

  test('an object the API server refuses in the dry run exits 9 and names it: the sync would fail', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-diff-refused-'));
    await mkdir(join(dir, 'app'));
    const refused = { 'app/bad.yaml': deployment('bad', 'registry.example/bad:1.0.0', -1) };
    for (const [file, text] of Object.entries(files(refused)))
      if (text !== null) await writeFile(join(dir, file), text);
    const run = await diff('--path', dir);
    assert.equal(run.code, 9, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(
        `^error: the sync would fail on apps/Deployment/${namespace}/bad: .*spec\\.replicas`,
        'm',
      ),
    );
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  test('--path renders a local checkout, so a change shows before it is committed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-diff-checkout-'));
    await mkdir(join(dir, 'app'));
    for (const [file, text] of Object.entries(
      files({ 'app/settings.yaml': configMap('settings', { mode: 'red' }) }),
    ))
      if (text !== null) await writeFile(join(dir, file), text);
    const run = await diff('--path', dir, '-o', 'json');
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as DiffJson;
    assert.equal(result.revision, `path ${dir}`);
    const settings = result.objects.find((o) => o.name === 'settings' && o.kind === 'ConfigMap');
    assert.equal(settings?.action, 'update');
    assert.deepEqual(settings?.paths, ['data.mode']);
  });

  test('--revision renders another commit of the repository', async () => {
    const run = await diff('--revision', first, '-o', 'json');
    assert.equal(run.code, 1, run.stderr);
    const result = JSON.parse(run.stdout) as DiffJson;
    assert.equal(result.revision, `sha1:${first}`);
    assert.deepEqual(
      result.objects.filter((o) => o.action === 'create').map((o) => o.name),
      ['old'],
    );
    assert.deepEqual(
      result.objects.filter((o) => o.action === 'prune').map((o) => o.name),
      ['added'],
    );
  });

  test('with selfHeal off, a change made by hand to an applied revision is drift the sync leaves, and exits 0', async () => {
    await repo.commit({ 'hands/settings.yaml': configMap('by-hand', { mode: 'blue' }) }, 'by hand');
    await createApplication(
      kube(),
      namespace,
      'hands',
      {
        source: { url: repo.url, path: 'hands' },
        interval: '1h',
        retryInterval: '1h',
        selfHeal: false,
      },
      { username: git.username, password: git.password },
    );
    await waitForApplication(
      kube(),
      namespace,
      'hands',
      'hands Ready',
      (app) => readyOf(app)?.status === 'True',
    );
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'by-hand' };
    await env()
      .kc.makeApiClient(CoreV1Api)
      .patchNamespacedConfigMap(
        {
          namespace,
          name: 'by-hand',
          fieldManager: 'someone',
          body: [{ op: 'replace', path: '/data/mode', value: 'red' }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    const run = await kustodian(
      admin(),
      'diff',
      'hands',
      '-n',
      namespace,
      '--allow-http',
      '-o',
      'json',
    );
    assert.equal(run.code, 0, run.stderr);
    const result = JSON.parse(run.stdout) as DiffJson;
    assert.deepEqual(
      result.objects.map((o) => [o.name, o.action, o.paths]),
      [['by-hand', 'drift', ['data.mode']]],
    );
    const sync = await kustodian(admin(), 'sync', 'hands', '-n', namespace, '--wait');
    assert.equal(sync.code, 0, sync.stderr);
    assert.deepEqual((await kube().get(ref))?.data, { mode: 'red' }, 'the sync left the change');
  });

  test('a revision that is no branch or tag exits 3 and says what to give', async () => {
    const run = await diff('--revision', 'no-such-branch');
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^error: --revision no-such-branch: no such branch or tag in .*\(give a branch, a tag or a full commit hash\)\n$/,
    );
  });

  test('a checkout without the Application path exits 9 naming the path, without a stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kustodian-diff-empty-'));
    const run = await diff('--path', dir);
    assert.equal(run.code, 9);
    assert.match(run.stderr, /^error: .*render app: the path does not exist in the repository\n$/);
    assert.doesNotMatch(run.stderr, /\n\s+at /);
  });

  test('a user who may only read Applications exits 4, naming the Secret and the permission to ask for', async () => {
    const reader = await limitedKubeconfig(env().kc, admin(), namespace, 'diff-reader', ['get']);
    const run = await kustodian(reader, 'diff', 'web', '--allow-http');
    assert.equal(run.code, 4, run.stderr);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      new RegExp(
        `^error: Application ${namespace}/web: fetch: .*Secret/${namespace}/web-git: Forbidden \\(403\\)`,
      ),
    );
    assert.match(
      run.stderr,
      /ask for RBAC permission "get" on the Application's Secret and objects/,
    );
    assert.doesNotMatch(run.stderr, /eyJ|\n\s+at /);
  });

  test('--revision with --path is a usage error, and a missing Application exits 3', async () => {
    const both = await diff('--revision', 'main', '--path', '.');
    assert.equal(both.code, 2);
    assert.match(both.stderr, /--revision and --path exclude each other/);
    const missing = await kustodian(admin(), 'diff', 'nope', '-n', namespace);
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, new RegExp(`^error: Application ${namespace}/nope not found`));
  });
});

/**
 * The fields of an object the sync changed: what differs between before and after, less the
 * annotations and labels another manager wrote (the Deployment controller's revision).
 */
function changedBySync(before: KubeObject, after: KubeObject): string[] {
  const others = new Set<string>();
  for (const entry of (after.metadata.managedFields ?? []) as {
    manager?: string;
    fieldsV1?: Record<string, Record<string, object>>;
  }[]) {
    if (entry.manager === 'kustodian') continue;
    for (const map of ['annotations', 'labels'])
      for (const key of Object.keys(entry.fieldsV1?.['f:metadata']?.[`f:${map}`] ?? {}))
        others.add(`metadata.${map}[${key.slice(2)}]`);
  }
  return changedPaths(before, after, Infinity).filter((path) => !others.has(path));
}
