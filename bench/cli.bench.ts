/**
 * `kustodian get -A` over 1,000 Applications, as a person runs it from a terminal (a fresh
 * process each time, on the pinned Node, through the `kustodian` bin): installed (the bin and
 * the bundle `npm pack` ships, built here with the same script, laid out as npm installs them)
 * and from a checkout (the bin running the TypeScript sources), against `kubectl get kapp -A`
 * over the same Applications. The bin turns on Node's compile cache; it starts empty (a
 * directory of this run), so the first round compiles and later rounds reuse it, as a user's
 * second run does. Each Application carries a status like the reconciler writes
 * (conditions, revision, history and the source commit its trailers named), so the table has every
 * column filled in. Median of 5 runs each.
 *
 * `node bench/cli.bench.ts [--applications N] [--env <env.json>]`
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import type { LocalEnvInfo } from '../test/env/index.ts';
import { adminClient, installCrd } from './support/cluster.ts';
import { argument, withEnvironment } from './support/environment.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median, timed } from './support/stats.ts';

const run = promisify(execFile);
const cliDir = resolve(import.meta.dirname, '../cli');
const checkoutBin = resolve(cliDir, 'bin/kustodian.js');
const namespaces = 10;
const rounds = 5;
const targetMs = 1000;

/** Runs the benchmark against the environment described by `env`. */
export async function benchCli(env: LocalEnvInfo, applications = 1000): Promise<BenchResult> {
  const before = machineLoad();
  const kube = await adminClient(env.kubeconfig);
  await installCrd(kube);
  const tag = Date.now().toString(36);
  for (let n = 0; n < namespaces; n++) {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: `cli-${tag}-${n}` },
    });
  }
  const now = new Date().toISOString();
  const created = Array.from({ length: applications }, (_, i) => i);
  for (let start = 0; start < created.length; start += 50) {
    await Promise.all(
      created.slice(start, start + 50).map(async (i) => {
        const metadata = { name: `app-${i}`, namespace: `cli-${tag}-${i % namespaces}` };
        const api = { apiVersion: 'kustodian.dev/v1alpha1', kind: 'Application' };
        await kube.apply({
          ...api,
          metadata,
          spec: {
            source: { url: `https://git.example.test/team/config-${i % 7}.git`, path: `apps/${i}` },
            suspend: true,
          },
        });
        await kube.apply({ ...api, metadata, status: statusOf(i, now) }, { subresource: 'status' });
      }),
    );
  }
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-cli-bench-'));
  const environment = {
    ...process.env,
    KUBECONFIG: env.kubeconfig,
    NODE_COMPILE_CACHE: join(scratch, 'compile-cache'),
  };
  // The installed layout: `bin/` and `dist/` side by side, as the tarball unpacks; the
  // checkout keeps no `dist/`, so its bin runs the sources.
  const installedBin = join(scratch, 'kustodian/bin/kustodian.js');
  await run(process.execPath, ['build.ts'], { cwd: cliDir });
  await mkdir(join(scratch, 'kustodian'));
  await cp(resolve(cliDir, 'bin'), join(scratch, 'kustodian/bin'), { recursive: true });
  await cp(resolve(cliDir, 'package.json'), join(scratch, 'kustodian/package.json'));
  await rename(resolve(cliDir, 'dist'), join(scratch, 'kustodian/dist'));
  const installed: number[] = [];
  const checkout: number[] = [];
  const theirs: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      installed.push(await timedGet([installedBin, 'get', '-A'], applications, environment));
      checkout.push(await timedGet([checkoutBin, 'get', '-A'], applications, environment));
      const kubectl = () =>
        run('kubectl', ['get', 'kapp', '-A'], { env: environment, maxBuffer: 64 << 20 });
      theirs.push((await timed(kubectl)).ms);
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const kubectlMs = Math.round(median(theirs));
  const row = (what: string, times: number[], target: boolean) => {
    const ours = Math.round(median(times));
    return {
      measure: `kustodian get -A over ${applications} Applications, ${what}, median of ${rounds}`,
      unit: 'ms',
      ours,
      alternative: { name: 'kubectl get kapp -A', value: kubectlMs },
      ...(target ? { target: `<= ${targetMs} ms`, met: ours <= targetMs } : {}),
    };
  };
  return {
    name: 'cli',
    rows: [
      row('installed (bin and packed bundle), a fresh process', installed, true),
      row('from a checkout (bin and TypeScript sources), a fresh process', checkout, false),
    ],
    load: { before, after: machineLoad() },
    details: { installed, checkout, kubectl: theirs },
  };
}

/** Runs the CLI once; the time taken, after checking that it listed every Application. */
async function timedGet(
  args: string[],
  applications: number,
  env: NodeJS.ProcessEnv,
): Promise<number> {
  const got = await timed(() => run(process.execPath, args, { env, maxBuffer: 64 << 20 }));
  const rows = got.value.stdout.trim().split('\n').length - 1;
  if (rows < applications)
    throw new Error(`kustodian get -A printed ${rows} rows for ${applications} Applications`);
  return got.ms;
}

/** A status as the reconciler writes it for a Ready Application at a commit. */
export function statusOf(i: number, at: string): Record<string, unknown> {
  const commit = (i * 2654435761).toString(16).padStart(8, '0').repeat(5).slice(0, 40);
  const revision = `main@sha1:${commit}`;
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    observedGeneration: 1,
    lastTransitionTime: at,
  });
  return {
    observedGeneration: 1,
    lastAttemptedRevision: revision,
    lastAppliedRevision: revision,
    lastAppliedSource: { repository: `team/service-${i}`, commit },
    conditions: [
      condition('Ready', 'True', 'ReconciliationSucceeded', `applied revision ${revision}`),
      condition('Healthy', 'True', 'Healthy', 'all 12 objects are healthy'),
      condition('Reconciling', 'False', 'ReconciliationSucceeded', ''),
      condition('Stalled', 'False', 'ReconciliationSucceeded', ''),
    ],
    history: [{ revision, startedAt: at, finishedAt: at, result: 'Succeeded' }],
  };
}

if (import.meta.main) {
  const applications = Number(argument('applications')) || undefined;
  await withEnvironment(async (env) => [await benchCli(env, applications)]);
}
