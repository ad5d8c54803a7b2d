/**
 * `kustodian matrix` end to end: a config repository with `apps/<app>/overlays/<env>`, three
 * Applications synced by the reconciler into two namespaces, and the matrix of what runs
 * where: environments and applications from the paths, image tags from the live Deployments,
 * a label naming an environment, and a user who may read Applications but not Deployments.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CustomObjectsApi, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
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
} from '../../reconciler/test/e2e/support.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { kustodian, limitedKubeconfig } from './support.ts';

const env = localEnv();

interface Cell {
  environment: string;
  application: string;
  object: { namespace: string; name: string };
  commit: string;
  images: string[] | null;
  tags: string[] | null;
  health: string;
  ready: string;
  since: string;
}
interface MatrixJson {
  environments: { key: string; cluster: string; name: string; from: string }[];
  applications: { name: string; group: string; from: string }[];
  cells: Cell[];
}

const overlay = (tag: string) =>
  [
    'resources: [../../base]',
    'images:',
    '  - name: registry.example/app',
    `    newTag: ${tag}`,
    '',
  ].join('\n');
const base = (name: string) => ({
  [`apps/${name}/base/kustomization.yaml`]: `resources: [${name}.yaml]\n`,
  [`apps/${name}/base/${name}.yaml`]: deployment(name, 'registry.example/app:0.0.1', 1),
});

/** A kubeconfig naming the test cluster twice, as clusters and contexts `east` and `west`. */
async function twoClusters(adminKubeconfig: string): Promise<string> {
  const config = parse(await readFile(adminKubeconfig, 'utf8')) as {
    clusters: { name: string; cluster: unknown }[];
    users: { name: string }[];
  };
  const [cluster] = config.clusters;
  const [user] = config.users;
  assert.ok(cluster && user);
  const names = ['east', 'west'];
  const file = join(await mkdtemp(join(tmpdir(), 'kustodian-matrix-')), 'kubeconfig');
  await writeFile(
    file,
    stringify({
      ...config,
      clusters: names.map((name) => ({ name, cluster: cluster.cluster })),
      contexts: names.map((name) => ({ name, context: { cluster: name, user: user.name } })),
      'current-context': 'east',
    }),
    { mode: 0o600 },
  );
  return file;
}

describe('kustodian matrix', () => {
  let git: TestGit;
  let namespace: string;
  let staging: string;
  let production: string;
  let commit: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;
  const matrixOf = async (...args: string[]) => {
    const run = await kustodian(admin(), 'matrix', '-n', namespace, '-o', 'json', ...args);
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as MatrixJson;
  };

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('matrix');
    staging = await env().createNamespace('matrix-staging');
    production = await env().createNamespace('matrix-production');
    const repo = await git.repo('team/matrix');
    commit = await repo.commit(
      {
        ...base('web'),
        ...base('api'),
        'apps/web/overlays/staging/kustomization.yaml': overlay('1.1.0'),
        'apps/web/overlays/production/kustomization.yaml': overlay('1.0.0'),
        'apps/api/overlays/staging/kustomization.yaml': overlay('2.0.0'),
      },
      'three overlays',
    );
    running = await startTestReconciler(env(), namespace);
    const credentials = { username: git.username, password: git.password };
    for (const [name, path, destination] of [
      ['web-staging', 'apps/web/overlays/staging', staging],
      ['web-production', 'apps/web/overlays/production', production],
      ['api-staging', 'apps/api/overlays/staging', staging],
    ] as const)
      await createApplication(
        kube(),
        namespace,
        name,
        { source: { url: repo.url, path }, destination: { namespace: destination } },
        credentials,
      );
    for (const name of ['web-staging', 'web-production', 'api-staging'])
      await waitForApplication(
        kube(),
        namespace,
        name,
        `${name} Ready and healthy`,
        (app) => readyOf(app)?.status === 'True' && app.status?.health?.status === 'Healthy',
      );
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('environments and applications come from the overlay paths, each cell with its tag, commit, health and since', async () => {
    const matrix = await matrixOf();
    assert.deepEqual(
      matrix.environments.map((e) => [e.name, e.from]),
      [
        ['production', 'path'],
        ['staging', 'path'],
      ],
    );
    assert.deepEqual(
      matrix.applications.map((a) => [a.name, a.from]),
      [
        ['api', 'path'],
        ['web', 'path'],
      ],
    );
    assert.deepEqual(
      matrix.cells.map((c) => [
        c.application,
        c.environment.split('/').at(-1),
        c.object.name,
        c.tags,
        c.health,
        c.ready,
      ]),
      [
        ['api', 'staging', 'api-staging', ['2.0.0'], 'Healthy', 'True'],
        ['web', 'production', 'web-production', ['1.0.0'], 'Healthy', 'True'],
        ['web', 'staging', 'web-staging', ['1.1.0'], 'Healthy', 'True'],
      ],
    );
    for (const cell of matrix.cells) {
      assert.equal(cell.commit, commit);
      assert.deepEqual(cell.images, [`registry.example/app:${cell.tags?.[0]}`]);
      assert.ok(!Number.isNaN(Date.parse(cell.since)), cell.since);
    }
  });

  test('the table has a row per application and a column per environment; api has no production', async () => {
    const run = await kustodian(admin(), 'matrix', '-n', namespace);
    assert.equal(run.code, 0, run.stderr);
    const short = commit.slice(0, 7);
    assert.match(run.stdout, /^APPLICATION\s+production\s+staging$/m);
    assert.match(run.stdout, new RegExp(`^api\\s+-\\s+2\\.0\\.0 ${short} Healthy \\S+$`, 'm'));
    assert.match(
      run.stdout,
      new RegExp(
        `^web\\s+1\\.0\\.0 ${short} Healthy \\S+\\s+1\\.1\\.0 ${short} Healthy \\S+$`,
        'm',
      ),
    );
  });

  test('--no-images makes no workload reads: cells without images, the table without tags', async () => {
    const matrix = await matrixOf('--no-images');
    assert.deepEqual(
      matrix.cells.map((c) => [c.images, c.tags]),
      [
        [null, null],
        [null, null],
        [null, null],
      ],
    );
    const run = await kustodian(admin(), 'matrix', '-n', namespace, '--no-images');
    assert.match(run.stdout, new RegExp(`^api\\s+-\\s+${commit.slice(0, 7)} Healthy \\S+$`, 'm'));
  });

  test('a label names the environment when the caller says which', async () => {
    await env()
      .kc.makeApiClient(CustomObjectsApi)
      .patchNamespacedCustomObject(
        {
          group: 'kustodian.dev',
          version: 'v1alpha1',
          plural: 'applications',
          namespace,
          name: 'web-staging',
          body: { metadata: { labels: { 'acme.example/environment': 'eu' } } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    const labelled = await matrixOf('--env-label', 'acme.example/environment');
    assert.deepEqual(
      labelled.cells.map((c) => `${c.application} ${c.environment.split('/').at(-1)}`),
      ['api staging', 'web eu', 'web production'],
    );
    assert.equal(labelled.environments.find((e) => e.name === 'eu')?.from, 'label');
  });

  test("--contexts reads each context's cluster into one matrix, columns named cluster/environment when names repeat", async () => {
    const kubeconfig = await twoClusters(admin());
    const run = await kustodian(
      kubeconfig,
      'matrix',
      '-n',
      namespace,
      '--contexts',
      'east,west',
      '-o',
      'json',
    );
    assert.equal(run.code, 0, run.stderr);
    const matrix = JSON.parse(run.stdout) as MatrixJson;
    assert.deepEqual(
      matrix.environments.map((e) => e.key),
      ['east/production', 'east/staging', 'west/production', 'west/staging'],
    );
    assert.equal(matrix.cells.length, 6);
    const table = await kustodian(kubeconfig, 'matrix', '-n', namespace, '--contexts', 'east,west');
    assert.match(
      table.stdout,
      /^APPLICATION\s+east\/production\s+east\/staging\s+west\/production\s+west\/staging$/m,
    );
    const both = await kustodian(kubeconfig, 'matrix', '--context', 'east', '--contexts', 'west');
    assert.equal(both.code, 2);
    assert.equal(both.stderr, 'error: give --context or --contexts, not both\n');
  });

  test('a user who may list Applications but not Deployments gets the matrix without images, and a warning each', async () => {
    const limited = await limitedKubeconfig(env().kc, admin(), namespace, 'viewer', ['list']);
    const run = await kustodian(limited, 'matrix', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const matrix = JSON.parse(run.stdout) as MatrixJson;
    assert.equal(matrix.cells.length, 3);
    assert.ok(matrix.cells.every((c) => c.images === null && c.health === 'Healthy'));
    assert.match(
      run.stderr,
      new RegExp(
        `^warning: Deployment objects: not allowed to list deployments\\.apps in namespace ${staging}`,
        'm',
      ),
    );
    assert.match(run.stderr, new RegExp(`in namespace ${production}`));
  });
});
