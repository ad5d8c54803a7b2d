/**
 * Concurrent bumps of one kustomization file: N runs of the bundled action (`action/dist`,
 * default inputs, `commit: push`) each bump their own image in one file of a repository on the
 * local git server over HTTPS, all at once, against what users script in a workflow instead:
 * N concurrent shell retry loops of `git pull --rebase && kustomize edit set image && git
 * commit && git push` (resetting to the remote after a rejected push, with a random sleep of
 * up to a second). The figure is the time until all N have landed; every bump is checked to be
 * on `main` once afterwards. The loop validates nothing and rewrites the file (kustomize drops
 * its comments); the action builds and validates the overlay before every push.
 *
 * `node bench/races.bench.ts [--runs N] [--results <file>]` (16 runs by default)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import {
  type HttpsGit,
  seedRepository,
  startHttpsGit,
} from '../action/test/acceptance/https-git.ts';
import { runAction } from '../action/test/helpers.ts';
import { requireBinary } from '../test/env/binaries.ts';
import { argument, report } from './support/environment.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, timed } from './support/stats.ts';

const run = promisify(execFile);

/** One overlay of `apps` Deployments, every image pinned in `production/kustomization.yaml`. */
function repository(apps: readonly string[]): Record<string, string> {
  const files: Record<string, string> = {};
  for (const app of apps) {
    files[`base/${app}.yaml`] = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: ${app}}`,
      'spec:',
      `  selector: {matchLabels: {app: ${app}}}`,
      '  template:',
      `    metadata: {labels: {app: ${app}}}`,
      `    spec: {containers: [{name: ${app}, image: registry.example.com/${app}:1.0.0}]}`,
      '',
    ].join('\n');
  }
  files['base/kustomization.yaml'] = `resources:\n${apps.map((a) => `  - ${a}.yaml\n`).join('')}`;
  const entries = apps.map(
    (app) => `  # ${app}\n  - name: registry.example.com/${app}\n    newTag: 1.0.0\n`,
  );
  files['production/kustomization.yaml'] =
    `namespace: shop\nresources:\n  - ../base\nimages:\n${entries.join('')}`;
  return files;
}

/** The users' loop: clone once, then pull, edit, commit and push until the push lands. */
const userLoop = [
  'set -u',
  'git clone -q --single-branch --branch main "$URL" "$WORK" && cd "$WORK" || exit 1',
  'for attempt in $(seq 1 200); do',
  '  git reset -q --hard origin/main',
  '  git pull -q --rebase origin main || continue',
  '  (cd production && "$KUSTOMIZE" edit set image "$IMAGE=$IMAGE:2.0.0") || exit 1',
  '  git -c user.name=ci -c user.email=ci@example.com commit -qam "Bump $IMAGE to 2.0.0" || exit 1',
  '  git push -q origin HEAD:main 2>/dev/null && exit 0',
  '  sleep "0.$((RANDOM % 10))"',
  'done',
  'exit 1',
].join('\n');

/** Runs the benchmark with `runs` concurrent writers on each side. */
export async function benchRaces(runs: number): Promise<BenchResult> {
  const before = machineLoad();
  const kustomize = await requireBinary('kustomize');
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-races-'));
  const token = 'bench-token';
  let https: HttpsGit | undefined;
  try {
    https = await startHttpsGit(dir, token);
    const server = https;
    const apps = Array.from({ length: runs }, (_, index) => `app${index + 1}`);
    await seedRepository(server, dir, 'ours', repository(apps));
    await seedRepository(server, dir, 'loop', repository(apps));
    const action = await timed(() =>
      Promise.all(
        apps.map((app) =>
          runAction({
            inputs: {
              repository: server.url('ours'),
              token,
              images: `registry.example.com/${app}=2.0.0`,
            },
            env: { GIT_SSL_CAINFO: server.caFile },
          }),
        ),
      ),
    );
    const failed = action.value.filter((result) => result.code !== 0);
    if (failed.length > 0)
      throw new Error(`${failed.length} action runs failed:\n${failed[0]?.stdout}`);
    const header = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
    const loop = await timed(() =>
      Promise.all(
        apps.map((app) =>
          run('bash', ['-c', userLoop], {
            env: {
              PATH: `${dirname(kustomize)}:/usr/local/bin:/usr/bin:/bin`,
              HOME: dir,
              KUSTOMIZE: kustomize,
              URL: server.url('loop'),
              WORK: join(dir, `loop-${app}`),
              IMAGE: `registry.example.com/${app}`,
              GIT_SSL_CAINFO: server.caFile,
              GIT_CONFIG_COUNT: '1',
              GIT_CONFIG_KEY_0: 'http.extraHeader',
              GIT_CONFIG_VALUE_0: header,
            },
          }),
        ),
      ),
    );
    for (const name of ['ours', 'loop']) await checkLanded(server.barePath(name), apps);
    const ours = Math.round(action.ms);
    return {
      name: 'races',
      rows: [
        {
          measure: `${runs} concurrent bumps of one kustomization file, until all landed (push)`,
          unit: 'ms',
          ours,
          alternative: {
            name: 'pull --rebase, kustomize edit, push loops',
            value: Math.round(loop.ms),
          },
          note: 'default inputs; the action builds and validates before each push, the loop does not',
        },
      ],
      load: { before, after: machineLoad() },
      details: { runs },
    };
  } finally {
    await https?.server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Throws unless every app's bump is on `main` of `bare` in exactly one commit. */
async function checkLanded(bare: string, apps: readonly string[]): Promise<void> {
  const { stdout } = await run('git', ['--git-dir', bare, 'log', '--format=%s', 'main']);
  const subjects = stdout.split('\n');
  for (const app of apps) {
    const own = subjects.filter((line) => line.includes(`registry.example.com/${app} `));
    if (own.length !== 1) throw new Error(`${bare}: ${app} landed ${own.length} times`);
  }
}

if (import.meta.main) {
  await report([await benchRaces(Number(argument('runs')) || 16)]);
}
