/**
 * One round of the reconciler benchmark: the first sync of a set by kubectl and by the
 * reconciler (without and with waiting for health), each into namespaces of its own, and then
 * a no-op resync by each, with the write requests the API server took meanwhile. The control
 * plane is left to go quiet between measurements, so each count belongs to its run.
 */
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { KubeClient } from '../../reconciler/src/kube/client.ts';
import type { LocalEnvInfo } from '../../test/env/index.ts';
import { countWrites } from './apiserver.ts';
import { type BenchApplication, timeToHandled, timeToReady, waitForQuiet } from './cluster.ts';
import type { PushedRepo } from './config-repo.ts';
import { type CpuByProcess, childrenCpu, cpuAdded, pidCpu, processCpu } from './process-cpu.ts';
import { countsAdded, type ReconcilerProcess } from './reconciler-process.ts';

const run = promisify(execFile);

/** The namespace of the benchmark's Applications. */
export const appsNamespace = 'bench-sync';

/** One round's figures, in milliseconds and requests. */
export interface Round {
  kubectlMs: number;
  /** kubectl's apply and then `kubectl wait` until its Deployments are Available. */
  kubectlHealthyMs: number;
  /** CPU during kubectl's apply and during the reconciler's first sync (wait: false). */
  kubectlCpu: SyncCpu;
  firstSyncCpu: SyncCpu;
  noWaitMs: number;
  waitMs: number;
  kubectlResyncMs: number;
  resyncMs: number;
  kubectlResyncWrites: number;
  resyncWrites: number;
  resyncDryRuns: number;
  /** The reconciler's own requests, by verb. */
  firstSyncRequests: Record<string, number>;
  resyncRequests: Record<string, number>;
  /** Milliseconds the reconciler spent in each step (and in whole reconciles, `reconcile`). */
  firstSyncSteps: Record<string, number>;
  /** The same of the first sync that waits for health. */
  waitSteps: Record<string, number>;
  resyncSteps: Record<string, number>;
}

/** CPU milliseconds during a first sync: the control plane's processes, and the client's. */
export interface SyncCpu {
  controlPlane: CpuByProcess;
  /** kubectl, or the reconciler with the kustomize and git it ran. */
  client: number;
}

/** What every round shares. */
export interface RoundSetup {
  readonly env: LocalEnvInfo;
  readonly kube: KubeClient;
  /** Sets `sets/bk<round>` (kubectl), `sets/br<round>` and `sets/bw<round>` (the reconciler). */
  readonly repo: PushedRepo;
  readonly scratch: string;
  readonly reconciler: ReconcilerProcess;
}

/** Measures round `round`, counting writes to `resources`. */
export async function measureRound(
  setup: RoundSetup,
  round: number,
  resources: ReadonlySet<string>,
): Promise<Round> {
  const { kube, repo, reconciler } = setup;
  const kubectl = await kubectlApply(setup, `bk${round}`);
  const app = (name: string, set: string, wait: boolean): BenchApplication => ({
    namespace: appsNamespace,
    name,
    url: repo.url,
    path: `sets/${set}`,
    spec: { wait, timeout: '10m' },
  });
  const noWait = app(`sync-${round}`, `br${round}`, false);

  // First sync: kubectl, then the reconciler without and with waiting for health.
  // The environment's processes name its directory; the reconciler and this process (which runs
  // kubectl, and may have been given the environment's file) are the clients, counted apart.
  const marker = dirname(setup.env.kubeconfig);
  const sample = async () => ({
    controlPlane: await processCpu(marker, [reconciler.pid, process.pid]),
    kubectl: await childrenCpu(process.pid),
    reconciler: await pidCpu(reconciler.pid),
  });
  await waitForQuiet(kube);
  const kubectlBefore = await sample();
  let kubectlAfter = kubectlBefore;
  const { kubectlMs, kubectlHealthyMs } = await kubectl.applyAndWait(async () => {
    kubectlAfter = await sample();
  });
  const kubectlCpu = {
    controlPlane: cpuAdded(kubectlBefore.controlPlane, kubectlAfter.controlPlane),
    client: kubectlAfter.kubectl - kubectlBefore.kubectl,
  };
  await waitForQuiet(kube);
  const requestsBefore = await reconciler.requests();
  const stepsBefore = await reconciler.steps();
  const syncBefore = await sample();
  const noWaitMs = await timeToReady(kube, noWait, repo.commit);
  const syncAfter = await sample();
  const firstSyncCpu = {
    controlPlane: cpuAdded(syncBefore.controlPlane, syncAfter.controlPlane),
    client: syncAfter.reconciler - syncBefore.reconciler,
  };
  const firstSyncRequests = countsAdded(requestsBefore, await reconciler.requests());
  const firstSyncSteps = millisecondsAdded(stepsBefore, await reconciler.steps());
  await waitForQuiet(kube);
  const waitStepsBefore = await reconciler.steps();
  const waitMs = await timeToReady(kube, app(`wait-${round}`, `bw${round}`, true), repo.commit);
  const waitSteps = millisecondsAdded(waitStepsBefore, await reconciler.steps());

  // No-op resync: kubectl again, then the reconciler asked to reconcile again.
  await waitForQuiet(kube);
  const kubectlResync = await countWrites(kube, resources, kubectl.apply);
  await waitForQuiet(kube);
  const resyncBefore = await reconciler.requests();
  const resyncStepsBefore = await reconciler.steps();
  // Timed until the status says the request was handled; the reconcile's last steps after that
  // (its events) are waited for untimed, so that its requests are all counted.
  const done = await reconciler.counter('kustodian_reconcile_total');
  const resync = await countWrites(kube, resources, async () => {
    const ms = await timeToHandled(kube, noWait);
    while ((await reconciler.counter('kustodian_reconcile_total')) <= done) await sleep(25);
    return ms;
  });
  return {
    kubectlMs,
    kubectlHealthyMs,
    kubectlCpu,
    firstSyncCpu,
    noWaitMs,
    waitMs,
    kubectlResyncMs: kubectlResync.ms,
    resyncMs: resync.value,
    kubectlResyncWrites: kubectlResync.writes.writes,
    resyncWrites: resync.writes.writes,
    resyncDryRuns: resync.writes.dryRuns,
    firstSyncRequests,
    resyncRequests: countsAdded(resyncBefore, await reconciler.requests()),
    firstSyncSteps,
    waitSteps,
    resyncSteps: millisecondsAdded(resyncStepsBefore, await reconciler.steps()),
  };
}

/** What was added to each figure between two readings, rounded to tenths of a millisecond. */
function millisecondsAdded(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [key, ms] of Object.entries(after)) {
    const more = ms - (before[key] ?? 0);
    if (more > 0) added[key] = Math.round(more * 10) / 10;
  }
  return added;
}

/** What kubectl runs against one set. */
interface KubectlRuns {
  /** `kubectl apply --server-side` of the YAML kustomize rendered. */
  apply(): Promise<unknown>;
  /**
   * The apply, then what a pipeline runs to wait for health: `kubectl wait` until every
   * Deployment of the set is Available (the set's other kinds are ready once they exist).
   */
  applyAndWait(
    afterApply: () => Promise<void>,
  ): Promise<{ kubectlMs: number; kubectlHealthyMs: number }>;
}

/** kubectl's runs over the YAML kustomize renders from `sets/<set>`. */
async function kubectlApply(setup: RoundSetup, set: string): Promise<KubectlRuns> {
  const { env, repo, scratch } = setup;
  const rendered = join(scratch, `${set}.yaml`);
  const deployments = join(scratch, `${set}-deployments.yaml`);
  const built = await run(env.kustomize, ['build', join(repo.dir, `sets/${set}`)], {
    maxBuffer: 64 << 20,
  });
  await writeFile(rendered, built.stdout);
  const documents = built.stdout.split(/^---\n/m);
  await writeFile(
    deployments,
    documents.filter((d) => /^kind: Deployment$/m.test(d)).join('---\n'),
  );
  const kubectl = (args: string[]) =>
    run('kubectl', args, {
      env: { ...process.env, KUBECONFIG: env.kubeconfig },
      maxBuffer: 64 << 20,
    });
  const apply = () =>
    kubectl(['apply', '--server-side', '--field-manager=bench', '-f', rendered, '-o', 'name']);
  return {
    apply,
    applyAndWait: async (afterApply) => {
      const started = performance.now();
      await apply();
      const kubectlMs = performance.now() - started;
      const sampling = performance.now();
      await afterApply();
      const sampled = performance.now() - sampling;
      await kubectl(['wait', '--for=condition=Available', '--timeout=10m', '-f', deployments]);
      return { kubectlMs, kubectlHealthyMs: performance.now() - started - sampled };
    },
  };
}
