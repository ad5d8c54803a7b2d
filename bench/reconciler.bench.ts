/**
 * The reconciler against `kubectl apply --server-side` on the local control plane, side by
 * side in one run: the first sync of 1,000 objects (40 namespaces of ConfigMaps, Services,
 * Deployments and ServiceAccounts, rendered by kustomize from a generated repository on the
 * local git server), and a no-op resync of the same objects, counted in write requests from
 * the API server's own `apiserver_request_total` and in all requests the reconciler sent.
 *
 * The reconciler runs as a process of its own (`node reconciler/src/main.ts`, with the runtime
 * settings of its image and its default flags). A first sync is timed from the Application's
 * creation until it is Ready at the commit; a resync from the request to reconcile (the
 * `requested-at` annotation) until the Application's status says it was handled, as a watch of
 * the Application sees it. kubectl is timed applying the YAML kustomize rendered from the same
 * commit, and, for the wait until healthy, that apply followed by `kubectl wait` until the set's
 * Deployments are Available (what a pipeline runs to wait for a rollout). Each run gets
 * namespaces of its own (see `support/sync-round.ts`).
 *
 * `node bench/reconciler.bench.ts [--rounds N] [--env <env.json>] [-- <reconciler flags>]`
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalEnvInfo } from '../test/env/index.ts';
import { adminClient, appNamespace, installCrd } from './support/cluster.ts';
import { objectCount, pushRepo, type SetShape, setFiles } from './support/config-repo.ts';
import { argument, reconcilerFlags, withEnvironment } from './support/environment.ts';
import { cpuTotal } from './support/process-cpu.ts';
import { imageRuntime, startReconcilerProcess } from './support/reconciler-process.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median } from './support/stats.ts';
import { appsNamespace, measureRound, type Round } from './support/sync-round.ts';

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
      rounds.push(await measureRound({ env, kube, repo, scratch, reconciler }, round, resources));
      const figures = JSON.stringify(rounds.at(-1));
      console.error(`reconciler round ${round + 1}/${options.rounds}: ${figures}`);
    }
  } finally {
    await reconciler.stop();
    await rm(scratch, { recursive: true, force: true });
    await rm(repo.dir, { recursive: true, force: true });
  }
  return resultOf(rounds, objectCount(shape('x')), { before, after: machineLoad() });
}

/**
 * Requests a no-op resync of the whole set may send (issue 11): objects the drift watch shows
 * unchanged cost none, so what is left is the Application's own reads and status.
 */
const maxResyncRequests = 50;

const sum = (counts: Readonly<Record<string, number>>) =>
  Object.values(counts).reduce((total, count) => total + count, 0);

function resultOf(
  rounds: readonly Round[],
  objects: number,
  load: BenchResult['load'],
): BenchResult {
  const m = (pick: (round: Round) => number) => median(rounds.map(pick));
  const kubectlMs = m((r) => r.kubectlMs);
  const kubectlHealthyMs = m((r) => r.kubectlHealthyMs);
  const noWaitMs = m((r) => r.noWaitMs);
  const waitMs = m((r) => r.waitMs);
  const resyncMs = m((r) => r.resyncMs);
  const controlPlaneMs = m((r) => cpuTotal(r.firstSyncCpu.controlPlane));
  const kubectlControlPlaneMs = m((r) => cpuTotal(r.kubectlCpu.controlPlane));
  const cores = availableParallelism();
  const floorMs = controlPlaneMs / cores;
  const kubectlResyncMs = m((r) => r.kubectlResyncMs);
  const resyncWrites = m((r) => r.resyncWrites);
  const resyncRequests = m((r) => sum(r.resyncRequests));
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
        ours: Math.round(waitMs),
        alternative: {
          name: 'kubectl apply --server-side (no wait)',
          value: Math.round(kubectlMs),
        },
        target: '<= 0.60x',
        met: waitMs <= 0.6 * kubectlMs,
      },
      {
        measure: `first sync of ${n} objects (wait: true, until healthy)`,
        unit: 'ms',
        ours: Math.round(waitMs),
        alternative: {
          name: 'kubectl apply --server-side, then kubectl wait until its Deployments are Available',
          value: Math.round(kubectlHealthyMs),
        },
        target: '<= 0.60x',
        met: waitMs <= 0.6 * kubectlHealthyMs,
      },
      {
        measure: `CPU of the control plane (API server, etcd, controllers, kwok) during the first sync of ${n} objects`,
        unit: 'ms',
        ours: Math.round(controlPlaneMs),
        alternative: {
          name: "during kubectl apply --server-side's",
          value: Math.round(kubectlControlPlaneMs),
        },
        note: 'from /proc: the work the objects cost the cluster, whoever sends them',
      },
      {
        measure: `CPU of the client during the first sync of ${n} objects`,
        unit: 'ms',
        ours: Math.round(m((r) => r.firstSyncCpu.client)),
        alternative: { name: 'kubectl', value: Math.round(m((r) => r.kubectlCpu.client)) },
        note: 'the reconciler with the kustomize and git it ran; kubectl starts from rendered YAML',
      },
      {
        measure: `the first sync's floor on ${cores} cores: the control plane's CPU during it over the cores`,
        unit: 'ms',
        ours: Math.round(floorMs),
        alternative: { name: 'kubectl apply --server-side', value: Math.round(kubectlMs) },
        note: 'no client can finish before the control plane has done its work for the objects',
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
        measure: `no-op resync of ${n} objects: requests`,
        unit: 'requests',
        ours: resyncRequests,
        alternative: {
          name: 'kubectl apply --server-side (its writes alone)',
          value: m((r) => r.kubectlResyncWrites),
        },
        target: `<= ${maxResyncRequests}`,
        met: resyncRequests <= maxResyncRequests,
        note: "the reconciler's own count of its API requests, every verb, dry runs included",
      },
      {
        measure: `no-op resync of ${n} objects: time`,
        unit: 'ms',
        ours: Math.round(resyncMs),
        alternative: {
          name: 'kubectl apply --server-side',
          value: Math.round(kubectlResyncMs),
        },
        target: '<= 0.10x',
        met: resyncMs <= 0.1 * kubectlResyncMs,
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
