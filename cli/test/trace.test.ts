/**
 * `kustodian trace` end to end: the bundled Action bumps an image in a config repository on
 * the local git server (writing its trailers), the reconciler syncs the bump to a Deployment
 * that rolls out on kwok's nodes, and `trace` finds it by image, by bump commit and by app
 * commit; an image nobody runs exits 3. `--timeline` follows the bump from the app commit to
 * healthy, and a later bump that breaks the build to the step where it failed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
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
import { runActionStep } from '../../test/demo/runner.ts';
import { localEnv } from '../../test/env/for-tests.ts';
import { kustodian } from './support.ts';

const env = localEnv();
const execGit = promisify(execFile);

/** Clones the bare repository at `bare`, writes one file, commits with `message`, pushes. */
async function commitOnTop(bare: string, file: string, text: string, message: string) {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-trace-'));
  const git = (...args: string[]) =>
    execGit('git', args, {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: dir,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
      },
    });
  try {
    await git('clone', '--quiet', `file://${bare}`, '.');
    await writeFile(join(dir, file), text);
    await git('commit', '--quiet', '--all', '-m', message);
    await git('push', '--quiet', 'origin', 'HEAD:main');
    return (await git('rev-parse', 'HEAD')).stdout.trim();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Step {
  step: string;
  state: string;
  at: string;
  afterMs: number | null;
  detail: string;
}
interface Timeline {
  application: { namespace: string; name: string };
  matched: string;
  commit: string;
  appCommit: string;
  appRepository: string;
  workflowRun: string;
  state: string;
  steps: Step[];
}

interface Hit {
  application: { namespace: string; name: string };
  object: { kind: string; namespace?: string; name: string };
  container: string;
  image: string;
  matched: string;
  bumpCommit: string;
  appCommit: string;
  appRepository: string;
  since: string;
  healthy: boolean;
  health: string;
}

describe('kustodian trace', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  let bump: string;
  const appCommit = randomBytes(20).toString('hex');
  const kube = () => adminKube(env());
  const admin = () => env().kubeconfig;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('trace');
    const repo = await git.repo('team/trace');
    await repo.commit(
      {
        'app/kustomization.yaml': [
          'resources: [web.yaml]',
          'images:',
          '  - name: registry.example/web',
          '    newTag: 1.0.0',
          '',
        ].join('\n'),
        'app/web.yaml': deployment('web', 'registry.example/web:0.0.1'),
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

    // The release workflow of acme/web runs the bundled Action against the config repository.
    const step = await runActionStep({
      inputs: {
        repository: `file://${git.server.root}/team/trace.git`,
        images: 'registry.example/web=1.1.0',
        paths: 'app',
        commit: 'push',
      },
      context: {
        repository: 'acme/web',
        sha: appCommit,
        ref: 'refs/tags/v1.1.0',
        eventName: 'release',
        event: { action: 'published', release: { tag_name: 'v1.1.0' } },
        runId: '4242',
        serverUrl: 'https://github.com',
        apiUrl: 'https://api.github.com',
        token: '',
      },
      toolDirs: [dirname(env().kustomize)],
    });
    assert.equal(step.code, 0, step.log.join('\n'));
    bump = step.outputs['commit-sha'] ?? '';
    assert.match(bump, /^[0-9a-f]{40}$/);
    const synced = await kustodian(
      admin(),
      'wait',
      'web',
      '-n',
      namespace,
      '--revision',
      bump,
      '--for',
      'healthy',
    );
    assert.equal(synced.code, 0, synced.stderr);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('trace of the bumped image names the Application, the Deployment, the bump and app commits, and healthy', async () => {
    const run = await kustodian(admin(), 'trace', 'registry.example/web:1.1.0', '-A', '-o', 'json');
    assert.equal(run.code, 0, run.stderr);
    const hits = (JSON.parse(run.stdout) as Hit[]).filter(
      (h) => h.application.namespace === namespace,
    );
    assert.equal(hits.length, 1, run.stdout);
    const [hit] = hits;
    assert.deepEqual(hit?.application, { namespace, name: 'web' });
    assert.deepEqual(hit?.object, { kind: 'Deployment', namespace, name: 'web' });
    assert.equal(hit?.container, 'web');
    assert.equal(hit?.image, 'registry.example/web:1.1.0');
    assert.equal(hit?.bumpCommit, bump);
    assert.equal(hit?.appCommit, appCommit);
    assert.equal(hit?.appRepository, 'acme/web');
    assert.ok(hit?.since && !Number.isNaN(Date.parse(hit.since)), hit?.since);
    assert.equal(hit?.health, 'Current');
    assert.equal(hit?.healthy, true);

    const table = await kustodian(admin(), 'trace', 'registry.example/web:1.1.0', '-n', namespace);
    assert.equal(table.code, 0, table.stderr);
    assert.match(
      table.stdout,
      /^APPLICATION\s+CLUSTER\s+OBJECT\s+CONTAINER\s+IMAGE\s+SINCE\s+BUMP\s+APP COMMIT\s+HEALTH$/m,
    );
    assert.match(
      table.stdout,
      new RegExp(
        `^${namespace}/web\\s+\\S+\\s+Deployment/${namespace}/web\\s+web\\s+registry\\.example/web:1\\.1\\.0\\s+\\S+ ago\\s+${bump.slice(0, 12)}\\s+acme/web@${appCommit.slice(0, 12)}\\s+Healthy$`,
        'm',
      ),
    );
  });

  test('trace of the bump commit, and of the app commit, finds the same Deployment', async () => {
    for (const [sha, matched] of [
      [bump.slice(0, 10), 'bump-commit'],
      [appCommit, 'app-commit'],
    ] as const) {
      const run = await kustodian(admin(), 'trace', sha, '-n', namespace, '-o', 'json');
      assert.equal(run.code, 0, run.stderr);
      const hits = JSON.parse(run.stdout) as Hit[];
      assert.deepEqual(
        hits.map((h) => [h.object.name, h.image, h.matched, h.bumpCommit, h.healthy]),
        [['web', 'registry.example/web:1.1.0', matched, bump, true]],
      );
    }
  });

  test('trace of the image at its old tag, or of an image nobody runs, exits 3 and says so', async () => {
    for (const image of ['registry.example/web:1.0.0', 'registry.example/nobody:9']) {
      const run = await kustodian(admin(), 'trace', image, '-n', namespace);
      assert.equal(run.code, 3, run.stderr);
      assert.equal(run.stdout, '');
      assert.equal(
        run.stderr,
        `error: no Application in namespace ${namespace} runs image ${image} (try -A for every namespace)\n`,
      );
    }
  });

  test('trace of something that is neither an image nor a commit is a usage error', async () => {
    const run = await kustodian(admin(), 'trace', 'Not An Image', '-n', namespace);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /^error: Not An Image is neither a commit .* nor an image: /);
  });

  test('--timeline of the bump commit goes from the app commit to healthy, in order, with the times the status records', async () => {
    const run = await kustodian(
      admin(),
      'trace',
      bump,
      '-n',
      namespace,
      '--timeline',
      '-o',
      'json',
    );
    assert.equal(run.code, 0, run.stderr);
    const { hits, timelines } = JSON.parse(run.stdout) as { hits: Hit[]; timelines: Timeline[] };
    assert.equal(hits.length, 1);
    assert.equal(timelines.length, 1, run.stdout);
    const [timeline] = timelines;
    assert.deepEqual(timeline?.application, { namespace, name: 'web' });
    assert.deepEqual(
      [timeline?.matched, timeline?.commit, timeline?.appCommit, timeline?.appRepository],
      ['config-commit', bump, appCommit, 'acme/web'],
    );
    assert.equal(timeline?.workflowRun, 'https://github.com/acme/web/actions/runs/4242');
    assert.equal(timeline?.state, 'done');
    const steps = timeline?.steps ?? [];
    assert.deepEqual(
      steps.map((s) => `${s.step} ${s.state}`),
      ['app-commit done', 'bump-commit done', 'fetched done', 'applied done', 'healthy done'],
    );
    // The trailers and the reconciler record no commit times: those steps have none.
    assert.deepEqual(
      steps.slice(0, 2).map((s) => [s.at, s.afterMs, s.detail]),
      [
        ['', null, `acme/web@${appCommit}`],
        ['', null, bump],
      ],
    );
    const [fetched, applied, healthy] = steps.slice(2).map((s) => Date.parse(s.at));
    assert.ok(fetched !== undefined && applied !== undefined && healthy !== undefined);
    assert.ok(fetched <= applied && applied <= healthy, JSON.stringify(steps));
    assert.equal(steps[3]?.afterMs, applied - fetched);
    assert.equal(steps[4]?.afterMs, healthy - applied);

    const table = await kustodian(
      admin(),
      'trace',
      'registry.example/web:1.1.0',
      '-n',
      namespace,
      '--timeline',
    );
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^APPLICATION\s+CLUSTER\s+OBJECT/m);
    assert.match(table.stdout, /^APPLICATION\s+STEP\s+STATE\s+AT\s+AFTER\s+DETAIL$/m);
    assert.match(
      table.stdout,
      new RegExp(
        `^${namespace}/web\\s+app-commit\\s+done\\s+-\\s+-\\s+acme/web@${appCommit.slice(0, 12)}$`,
        'm',
      ),
    );
    assert.match(table.stdout, /^\s+healthy\s+done\s+\S+ ago\s+\d+(ms|s|m)\b/m);
  });

  test('--timeline of a later bump that breaks the build shows it fetched, failed at applied, and exits 0', async () => {
    const broken = randomBytes(20).toString('hex');
    // The Action pushed last, so the commit is made in a clone of the repository as it is now.
    const commit = await commitOnTop(
      `${git.server.root}/team/trace.git`,
      'app/kustomization.yaml',
      'resources: [web.yaml, missing.yaml]\n',
      `Bump web to a missing file\n\nKustodian-Source-Repository: acme/web\nKustodian-Source-Commit: ${broken}\n`,
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'the broken bump tried',
      (app) =>
        app.status?.history?.[0]?.revision.endsWith(commit) === true &&
        app.status.history[0].result === 'Failed',
    );
    const run = await kustodian(
      admin(),
      'trace',
      broken.slice(0, 12),
      '-n',
      namespace,
      '--timeline',
      '-o',
      'json',
    );
    assert.equal(run.code, 0, run.stderr);
    const { hits, timelines } = JSON.parse(run.stdout) as { hits: Hit[]; timelines: Timeline[] };
    assert.deepEqual(hits, []);
    assert.deepEqual(
      timelines.map((t) => [t.matched, t.commit, t.appCommit, t.state]),
      [['app-commit', commit, broken, 'failed']],
    );
    assert.deepEqual(
      timelines[0]?.steps.slice(2).map((s) => `${s.step} ${s.state} ${s.detail}`),
      ['fetched done ', 'applied failed BuildFailed', 'healthy pending '],
    );
    // Without --timeline nothing runs it: exit 3, as before.
    const plain = await kustodian(admin(), 'trace', broken.slice(0, 12), '-n', namespace);
    assert.equal(plain.code, 3, plain.stderr);
  });
});
