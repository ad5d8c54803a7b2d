/**
 * `kustodian rollback` against the real API server, reconciler and git servers over HTTPS: with
 * `--commit push` to a git server, and with `--commit api` and `--pull-request` through the
 * GitHub API emulator. A rollback to a revision R is one new commit on top of the branch head
 * (never a force push) whose tree at the Application's path is R's, with trailers naming R and
 * the Application; the next sync converges on it. Without a token it only shows the change.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CoreV1Api } from '@kubernetes/client-node';
import { execaRunner } from '@kustodian/shared/exec';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
} from '../../reconciler/test/e2e/support.ts';
import { startHttpsGit } from '../../test/e2e/forges.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import {
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../test/github-emulator/for-tests.ts';
import { kustodian, kustodianWith, type Run } from './support.ts';

const env = localEnv();
const emulator = githubEmulator();

interface RollbackJson {
  application: { namespace: string; name: string };
  revision: string;
  outcome: string;
  base: string;
  commit?: string;
  pullRequestUrl?: string;
  changes: { path: string; change: string }[];
}

/** Runs git in a bare repository; its trimmed stdout. */
async function bare(dir: string, ...args: string[]): Promise<string> {
  const result = await execaRunner('git', ['--git-dir', dir, ...args]);
  assert.equal(result.exitCode, 0, `git ${args.join(' ')}: ${result.stderr}`);
  return result.stdout.trim();
}

/** The three revisions of the corpus: R, then a change that modifies, adds and removes files. */
const first = {
  'app/settings.yaml': configMap('settings', { mode: 'blue' }),
  'app/old.yaml': configMap('old', { left: 'soon' }),
  'README.md': 'config\n',
};
const second = {
  'app/settings.yaml': configMap('settings', { mode: 'green' }),
  'app/old.yaml': null,
  'app/extra.yaml': configMap('extra', { added: 'later' }),
};

function parsed(run: Run): RollbackJson {
  assert.equal(run.code, 0, `exit ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as RollbackJson;
}

describe('kustodian rollback --commit push', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let gitEnv: Record<string, string>;
  let revisionR: string;
  let revision2: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;
  const bareDir = () => join(git.server.root, 'team/rollback.git');
  const rollback = (extra: Record<string, string>, ...args: string[]) =>
    kustodianWith({ ...gitEnv, ...extra }, admin(), 'rollback', 'web', '-n', namespace, ...args);
  const sync = async () => {
    const run = await kustodian(admin(), 'sync', 'web', '-n', namespace, '--wait', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as { commit: string };
  };

  before(async () => {
    // A public repository: fetching needs no token, pushing does.
    git = await startTestGit({ https: true, anonymousRead: true });
    gitEnv = {
      GIT_SSL_CAINFO: git.caFile ?? '',
      GIT_AUTHOR_NAME: 'Rolling Person',
      GIT_AUTHOR_EMAIL: 'person@example.test',
      KUSTODIAN_GIT_TOKEN: '',
    };
    await installCrd(kube());
    namespace = await env().createNamespace('cli-rollback');
    repo = await git.repo('team/rollback');
    revisionR = await repo.commit(first, 'first');
    running = await startTestReconciler(env(), namespace);
    const credentials = {
      username: git.username,
      password: git.password,
      'ca.crt': await readFile(git.caFile ?? '', 'utf8'),
    };
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' }, interval: '1h', retryInterval: '1h' },
      credentials,
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'Ready at R',
      (app) => readyOf(app)?.status === 'True',
    );
    revision2 = await repo.commit(second, 'second');
    assert.equal((await sync()).commit, revision2);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('without a token shows what it would commit, pushes nothing and says how to give one', async () => {
    const run = await rollback({}, '--to', revisionR.slice(0, 7));
    assert.equal(run.code, 2, run.stderr);
    assert.match(run.stdout, new RegExp(`rolling back to ${revisionR.slice(0, 12)} would commit`));
    assert.match(run.stdout, /modified\s+app\/settings\.yaml/);
    assert.match(run.stdout, /added\s+app\/old\.yaml/);
    assert.match(run.stdout, /deleted\s+app\/extra\.yaml/);
    assert.match(run.stderr, /no git token.*--token-file FILE or KUSTODIAN_GIT_TOKEN/);
    assert.equal(await bare(bareDir(), 'rev-parse', 'main'), revision2);
  });

  test('--dry-run with a token shows the change as JSON and exits 0', async () => {
    const run = await rollback(
      { KUSTODIAN_GIT_TOKEN: git.password },
      '--to',
      revisionR,
      '--dry-run',
      '-o',
      'json',
    );
    const result = parsed(run);
    assert.equal(result.outcome, 'dry-run');
    assert.equal(result.base, revision2);
    assert.deepEqual(result.changes, [
      { path: 'app/extra.yaml', change: 'deleted' },
      { path: 'app/old.yaml', change: 'added' },
      { path: 'app/settings.yaml', change: 'modified' },
    ]);
    assert.equal(await bare(bareDir(), 'rev-parse', 'main'), revision2);
  });

  test('commits the path as it was at R on top of the head, and the next sync converges on it', async () => {
    // Someone changes a file outside the Application's path after the last sync: the rollback
    // builds on that head, keeps the change, and restores only the path.
    const other = await repo.commit({ 'README.md': 'config, edited\n' }, 'docs');
    const tokenFile = join(await mkdtemp(join(tmpdir(), 'kustodian-token-')), 'token');
    await writeFile(tokenFile, `${git.password}\n`);
    const run = await rollback(
      {},
      '--to',
      revisionR.slice(0, 10),
      '--token-file',
      tokenFile,
      '-o',
      'json',
    );
    await rm(tokenFile, { force: true });
    const result = parsed(run);
    assert.equal(result.outcome, 'committed');
    assert.equal(result.revision, revisionR);
    assert.equal(result.base, other);
    const commit = result.commit ?? '';
    assert.equal(await bare(bareDir(), 'rev-parse', 'main'), commit);
    assert.equal(
      await bare(bareDir(), 'log', '-1', '--format=%P', commit),
      other,
      'one parent: the head',
    );
    assert.equal(
      await bare(bareDir(), 'rev-parse', `${commit}:app`),
      await bare(bareDir(), 'rev-parse', `${revisionR}:app`),
      'the tree at the path is the one of R',
    );
    assert.equal(await bare(bareDir(), 'show', `${commit}:README.md`), 'config, edited');
    const message = await bare(bareDir(), 'log', '-1', '--format=%B', commit);
    assert.match(message, new RegExp(`^Roll back ${namespace}/web to ${revisionR.slice(0, 12)}`));
    assert.match(message, new RegExp(`^Kustodian-Rollback-To: ${revisionR}$`, 'm'));
    assert.match(message, new RegExp(`^Kustodian-Application: ${namespace}/web$`, 'm'));
    assert.equal(
      await bare(bareDir(), 'log', '-1', '--format=%an <%ae>', commit),
      'Rolling Person <person@example.test>',
    );
    assert.ok(!`${run.stdout}${run.stderr}`.includes(git.password), 'the token is never printed');

    assert.equal((await sync()).commit, commit);
    const core = env().kc.makeApiClient(CoreV1Api);
    const settings = await core.readNamespacedConfigMap({ namespace, name: 'settings' });
    assert.deepEqual(settings.data, { mode: 'blue' });
    await core.readNamespacedConfigMap({ namespace, name: 'old' });
    await assert.rejects(core.readNamespacedConfigMap({ namespace, name: 'extra' }), 'pruned');
  });

  test('again to the same revision commits nothing', async () => {
    const head = await bare(bareDir(), 'rev-parse', 'main');
    const run = await rollback({ KUSTODIAN_GIT_TOKEN: git.password }, '--to', revisionR);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /is already as it was at .*nothing to commit/);
    assert.equal(await bare(bareDir(), 'rev-parse', 'main'), head);
  });

  test('a revision not in the history exits 3 and points at kustodian history', async () => {
    const run = await rollback({ KUSTODIAN_GIT_TOKEN: git.password }, '--to', 'deadbeef');
    assert.equal(run.code, 3, run.stderr);
    assert.match(
      run.stderr,
      new RegExp(`revision deadbeef is not in its history.*kustodian history web -n ${namespace}`),
    );
  });

  test('no such Application exits 3 and says how to list them', async () => {
    const run = await kustodianWith(
      gitEnv,
      admin(),
      'rollback',
      'nope',
      '-n',
      namespace,
      '--to',
      revisionR,
    );
    assert.equal(run.code, 3, run.stderr);
    assert.match(run.stderr, /Application .*nope not found.*kustodian get -A/);
  });

  test('without --to is a usage error', async () => {
    const run = await kustodianWith(gitEnv, admin(), 'rollback', 'web', '-n', namespace);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--to <revision>/);
  });
});

describe('kustodian rollback through the GitHub API', () => {
  let namespace: string;
  let fullName: string;
  let dir: string;
  let https: Awaited<ReturnType<typeof startHttpsGit>>;
  let revisionR: string;
  let revision2: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;
  const bareDir = () => join(emulator().git.root, `${fullName}.git`);
  const githubEnv = () => ({
    GIT_SSL_CAINFO: https.caFile,
    KUSTODIAN_GIT_TOKEN: testTokens.writer,
    GITHUB_API_URL: emulator().apiUrl,
  });
  const rollback = (extra: Record<string, string>, ...args: string[]) =>
    kustodianWith(
      { ...githubEnv(), ...extra },
      admin(),
      'rollback',
      'web',
      '-n',
      namespace,
      ...args,
    );
  const sync = async () => {
    const run = await kustodian(admin(), 'sync', 'web', '-n', namespace, '--wait', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    return JSON.parse(run.stdout) as { commit: string };
  };

  before(async () => {
    fullName = uniqueRepository('rollback');
    dir = await mkdtemp(join(tmpdir(), 'kustodian-rollback-github-'));
    // The emulator's repositories over HTTPS, as GitHub serves git.
    https = await startHttpsGit(dir, emulator().git.root, {
      username: 'x-access-token',
      password: testTokens.writer,
    });
    await installCrd(kube());
    namespace = await env().createNamespace('cli-rollback-api');
    revisionR = await emulator().createRepository(fullName, first);
    running = await startTestReconciler(env(), namespace);
    const credentials = {
      username: 'x-access-token',
      password: testTokens.writer,
      'ca.crt': https.caPem,
    };
    await createApplication(
      kube(),
      namespace,
      'web',
      {
        source: { url: `${https.server.url}/${fullName}.git`, path: 'app' },
        interval: '1h',
        retryInterval: '1h',
      },
      credentials,
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'Ready at R',
      (app) => readyOf(app)?.status === 'True',
    );
    revision2 = await emulator().pushFiles(fullName, 'main', {
      'app/settings.yaml': configMap('settings', { mode: 'green' }),
      'app/extra.yaml': configMap('extra', { added: 'later' }),
    });
    assert.equal((await sync()).commit, revision2);
  });
  after(async () => {
    await running?.stop();
    await https?.server.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  test('--commit api lands a Verified commit whose path is R’s, removing the added file', async () => {
    const result = parsed(await rollback({}, '--to', revisionR, '--commit', 'api', '-o', 'json'));
    assert.equal(result.outcome, 'committed');
    assert.deepEqual(result.changes, [
      { path: 'app/extra.yaml', change: 'deleted' },
      { path: 'app/settings.yaml', change: 'modified' },
    ]);
    const commit = result.commit ?? '';
    assert.equal(await emulator().head(fullName, 'main'), commit);
    const landed = await emulator().commit(fullName, commit);
    assert.deepEqual(landed.parents, [revision2]);
    assert.equal(landed.verified, true);
    assert.match(landed.message, new RegExp(`^Kustodian-Rollback-To: ${revisionR}$`, 'm'));
    assert.equal(
      await bare(bareDir(), 'rev-parse', `${commit}:app`),
      await bare(bareDir(), 'rev-parse', `${revisionR}:app`),
    );
    assert.equal((await sync()).commit, commit);
    const core = env().kc.makeApiClient(CoreV1Api);
    assert.deepEqual((await core.readNamespacedConfigMap({ namespace, name: 'settings' })).data, {
      mode: 'blue',
    });
    await assert.rejects(core.readNamespacedConfigMap({ namespace, name: 'extra' }), 'pruned');
  });

  test('--pull-request opens a pull request to roll forward again, leaving the branch alone', async () => {
    const head = await emulator().head(fullName, 'main');
    const result = parsed(await rollback({}, '--to', revision2, '--pull-request', '-o', 'json'));
    assert.equal(result.outcome, 'pull-request-opened');
    assert.equal(await emulator().head(fullName, 'main'), head);
    const [pull] = emulator().pullRequests(fullName);
    assert.ok(pull, 'a pull request is open');
    assert.equal(
      result.pullRequestUrl?.endsWith(`/pull/${pull.number}`),
      true,
      result.pullRequestUrl,
    );
    const branch = `kustodian/rollback-${namespace}-web`;
    const tip = (await emulator().head(fullName, branch)) ?? '';
    assert.equal(result.commit, tip);
    assert.equal(
      await bare(bareDir(), 'rev-parse', `${tip}:app`),
      await bare(bareDir(), 'rev-parse', `${revision2}:app`),
    );
    assert.deepEqual((await emulator().commit(fullName, tip)).parents, [head]);
  });

  test('without a token on a private repository the clone fails and says to give a token', async () => {
    const run = await rollback({ KUSTODIAN_GIT_TOKEN: '' }, '--to', revisionR);
    assert.equal(run.code, 1, run.stderr);
    assert.match(
      run.stderr,
      /no git token was given: give a token .*--token-file FILE or KUSTODIAN_GIT_TOKEN/,
    );
  });

  test('a token the git server refuses fails the rollback and never shows the token', async () => {
    const run = await rollback(
      { KUSTODIAN_GIT_TOKEN: testTokens.reader },
      '--to',
      revisionR,
      '--commit',
      'api',
    );
    assert.equal(run.code, 1, run.stderr);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(testTokens.reader));
  });
});
