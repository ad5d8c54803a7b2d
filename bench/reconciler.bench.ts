/**
 * The reconciler against `kubectl apply --server-side` on the local control plane, side by
 * side in one run: the first sync of 1,000 objects (40 namespaces of ConfigMaps, Services,
 * Deployments and ServiceAccounts, rendered by kustomize from a generated repository on the
 * local git server), and a no-op resync of the same objects, counted in write requests from
 * the API server's own `apiserver_request_total`.
 *
 * The reconciler runs as a process of its own (`node reconciler/src/main.ts`, with the runtime
 * settings of its image and its default flags) and is timed from the Application's creation until it is
 * Ready at the commit; kubectl
 * is timed applying the YAML kustomize rendered from the same commit. Each run gets namespaces
 * of its own.
 *
 * `node bench/reconciler.bench.ts [--rounds N] [--env <env.json>] [-- <reconciler flags>]`
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { LocalEnvInfo } from '../test/env/index.ts';
import { type RequestSeries, readRequestTotals, writesBetween } from './support/apiserver.ts';
import {
  adminClient,
  applyApplication,
  appNamespace,
  type BenchApplication,
  installCrd,
  readApplication,
  readyAt,
  waitForQuiet,
} from './support/cluster.ts';
import { objectCount, pushRepo, type SetShape, setFiles } from './support/config-repo.ts';
import { argument, reconcilerFlags, withEnvironment } from './support/environment.ts';
import { imageRuntime, startReconcilerProcess } from './support/reconciler-process.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median, timed } from './support/stats.ts';

const run = promisify(execFile);

/** What to run. */
export interface ReconcilerBenchOptions {
  readonly rounds: number;
  readonly namespaces: number;
  readonly perKind: number;
  /** Flags of the reconciler process beyond the defaults. */
  readonly flags: readonly string[];
}

/** 3 rounds of 40 namespaces with 6 objects of each kind: 1,000 objects a run. */
export const defaultReconcilerBench: ReconcilerBenchOptions = {
  rounds: 3,
  namespaces: 40,
  perKind: 6,
  flags: [],
};

/** The resources the sets consist of, as `apiserver_request_total` names them. */
const resources = new Set([
  'namespaces',
  'configmaps',
  'services',
  'deployments',
  'serviceaccounts',
]);
const appsNamespace = 'bench-sync';

/** One round's figures, in milliseconds and requests. */
interface Round {
  kubectlMs: number;
  noWaitMs: number;
  waitMs: number;
  kubectlResyncMs: number;
  resyncMs: number;
  kubectlResyncWrites: number;
  resyncWrites: number;
  resyncDryRuns: number;
  firstSyncRequests: Record<string, number>;
  resyncRequests: Record<string, number>;
}

/** Runs the benchmark against the environment described by `env`. */
export async function benchReconciler(
  env: LocalEnvInfo,
  options: ReconcilerBenchOptions = defaultReconcilerBench,
): Promise<BenchResult> {
  const before = machineLoad();
  const kube = await adminClient(env.kubeconfig);
  await installCrd(kube);
  const git = { url: env.gitUrl, username: env.gitUsername, password: env.gitPassword };
  await appNamespace(kube, appsNamespace, git);
  const shape = (prefix: string): SetShape => ({
    prefix,
    namespaces: options.namespaces,
    perKind: options.perKind,
  });
  const files: Record<string, string> = {};
  for (let round = 0; round < options.rounds; round++) {
    for (const kind of ['k', 'r', 'w']) {
      Object.assign(files, setFiles(`sets/b${kind}${round}`, shape(`b${kind}${round}`)));
    }
  }
  const repo = await pushRepo(git, `bench/sync-${Date.now()}`, files);
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-bench-sync-'));
  const reconciler = await startReconcilerProcess({
    kubeconfig: env.kubeconfig,
    kustomize: env.kustomize,
    namespace: appsNamespace,
    flags: options.flags,
    runtime: imageRuntime(),
  });
  const rounds: Round[] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      const rendered = join(scratch, `bk${round}.yaml`);
      const built = await run(env.kustomize, ['build', join(repo.dir, `sets/bk${round}`)], {
        maxBuffer: 64 << 20,
      });
      await writeFile(rendered, built.stdout);
      const kubectl = () =>
        run(
          'kubectl',
          ['apply', '--server-side', '--field-manager=bench', '-f', rendered, '-o', 'name'],
          { env: { ...process.env, KUBECONFIG: env.kubeconfig }, maxBuffer: 64 << 20 },
        );
      const app = (name: string, set: string, wait: boolean): BenchApplication => ({
        namespace: appsNamespace,
        name,
        url: repo.url,
        path: `sets/${set}`,
        spec: { wait, timeout: '10m' },
      });
      const noWait = app(`sync-${round}`, `br${round}`, false);
      const withWait = app(`wait-${round}`, `bw${round}`, true);
      const requests = () => requestsByVerb(reconciler.metrics());

      // First sync: kubectl, then the reconciler without and with waiting for health.
      await waitForQuiet(kube);
      const kubectlMs = (await timed(kubectl)).ms;
      await waitForQuiet(kube);
      const requestsBefore = await requests();
      const noWaitMs = await timeToReady(kube, noWait, repo.commit);
      const firstSyncRequests = difference(requestsBefore, await requests());
      await waitForQuiet(kube);
      const waitMs = await timeToReady(kube, withWait, repo.commit);

      // No-op resync: kubectl again, then the reconciler asked to reconcile again.
      await waitForQuiet(kube);
      const kubectlResync = await countWrites(kube, kubectl);
      await waitForQuiet(kube);
      const resyncBefore = await requests();
      const resync = await countWrites(kube, async () => {
        const done = await reconciler.counter('kustodian_reconcile_total');
        await applyApplication(kube, noWait, new Date().toISOString());
        while ((await reconciler.counter('kustodian_reconcile_total')) <= done) await sleep(25);
      });
      const resyncRequests = difference(resyncBefore, await requests());
      rounds.push({
        kubectlMs,
        noWaitMs,
        waitMs,
        kubectlResyncMs: kubectlResync.ms,
        resyncMs: resync.ms,
        kubectlResyncWrites: kubectlResync.writes.writes,
        resyncWrites: resync.writes.writes,
        resyncDryRuns: resync.writes.dryRuns,
        firstSyncRequests,
        resyncRequests,
      });
      console.error(
        `reconciler round ${round + 1}/${options.rounds}: ${JSON.stringify(rounds.at(-1))}`,
      );
    }
  } finally {
    await reconciler.stop();
    await rm(scratch, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
  return resultOf(rounds, objectCount(shape('x')), { before, after: machineLoad() });
}

/** Milliseconds from creating `app` until it is Ready at `commit`. */
async function timeToReady(
  kube: Awaited<ReturnType<typeof adminClient>>,
  app: BenchApplication,
  commit: string,
): Promise<number> {
  const started = performance.now();
  await applyApplication(kube, app);
  const deadline = Date.now() + 15 * 60_000;
  for (;;) {
    const live = await readApplication(kube, app);
    if (live && readyAt(live, commit)) return performance.now() - started;
    if (Date.now() > deadline) {
      throw new Error(`${app.name} not Ready: ${JSON.stringify(live?.status?.conditions)}`);
    }
    await sleep(50);
  }
}

/** Runs `fn`, timing it and counting the write requests the API server took meanwhile. */
async function countWrites(
  kube: Awaited<ReturnType<typeof adminClient>>,
  fn: () => Promise<unknown>,
): Promise<{ ms: number; writes: ReturnType<typeof writesBetween> }> {
  const before: RequestSeries[] = await readRequestTotals(kube);
  const { ms } = await timed(fn);
  const after = await readRequestTotals(kube);
  return { ms, writes: writesBetween(before, after, resources) };
}

/** The reconciler's own count of its API requests, by verb. */
async function requestsByVerb(text: Promise<string>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const match of (await text).matchAll(
    /^kustodian_kube_requests_total\{verb="(\w+)"\} (\d+)/gm,
  )) {
    counts[match[1] ?? ''] = Number(match[2]);
  }
  return counts;
}

function difference(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [verb, count] of Object.entries(after)) {
    const added = count - (before[verb] ?? 0);
    if (added > 0) result[verb] = added;
  }
  return result;
}

function resultOf(
  rounds: readonly Round[],
  objects: number,
  load: BenchResult['load'],
): BenchResult {
  const m = (pick: (round: Round) => number) => median(rounds.map(pick));
  const kubectlMs = m((r) => r.kubectlMs);
  const noWaitMs = m((r) => r.noWaitMs);
  const resyncWrites = m((r) => r.resyncWrites);
  const n = objects.toLocaleString('en-US');
  return {
    name: 'reconciler',
    rows: [
      {
        measure: `first sync of ${n} objects (wait: false)`,
        unit: 'ms',
        ours: Math.round(noWaitMs),
        alternative: { name: 'kubectl apply --server-side', value: Math.round(kubectlMs) },
        target: '<= 0.50x',
        met: noWaitMs <= 0.5 * kubectlMs,
      },
      {
        measure: `first sync of ${n} objects (wait: true, until healthy)`,
        unit: 'ms',
        ours: Math.round(m((r) => r.waitMs)),
        alternative: {
          name: 'kubectl apply --server-side (no wait)',
          value: Math.round(kubectlMs),
        },
      },
      {
        measure: `no-op resync of ${n} objects: write requests`,
        unit: 'requests',
        ours: resyncWrites,
        alternative: {
          name: 'kubectl apply --server-side',
          value: m((r) => r.kubectlResyncWrites),
        },
        target: '0',
        met: resyncWrites === 0,
        note: 'apiserver_request_total, write verbs on the sets resources; dry runs counted apart',
      },
      {
        measure: `no-op resync of ${n} objects: time`,
        unit: 'ms',
        ours: Math.round(m((r) => r.resyncMs)),
        alternative: {
          name: 'kubectl apply --server-side',
          value: Math.round(m((r) => r.kubectlResyncMs)),
        },
      },
    ],
    load,
    details: { rounds },
  };
}

if (import.meta.main) {
  const rounds = Number(argument('rounds')) || undefined;
  await withEnvironment(async (env) => {
    const result = await benchReconciler(env, {
      ...defaultReconcilerBench,
      ...(rounds ? { rounds } : {}),
      flags: reconcilerFlags(),
    });
    return [result];
  });
}
