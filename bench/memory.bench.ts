/**
 * The reconciler's resident memory with many Applications: 200 Applications of 25 objects each
 * (a Namespace with ConfigMaps, Services, Deployments and ServiceAccounts), all from one
 * generated repository on the local git server, measured from `/proc/<pid>/status` of the
 * reconciler process once every Application is Ready, and again after it has idled a while.
 * Measured with the runtime settings of the reconciler image (node flags, allocator arenas) and
 * with plain `node`, then with the image's settings at 1,000 Applications of 10 objects each;
 * each time a fresh process syncing a fresh set.
 *
 * Argo CD and Flux cannot run here; their figures are not measured, only ours.
 *
 * `node bench/memory.bench.ts [--applications N] [--many N] [--env <env.json>] [-- <flags>]`
 */
import { rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LocalEnvInfo } from '../test/env/index.ts';
import {
  adminClient,
  applyApplication,
  appNamespace,
  installCrd,
  waitAllReady,
} from './support/cluster.ts';
import { pushRepo, type SetShape, setFiles } from './support/config-repo.ts';
import { argument, reconcilerFlags, withEnvironment } from './support/environment.ts';
import {
  type ImageRuntime,
  imageRuntime,
  startReconcilerProcess,
  sumCounter,
} from './support/reconciler-process.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, timed } from './support/stats.ts';

/** What to run. */
export interface MemoryBenchOptions {
  readonly applications: number;
  /** Objects of each kind per Application (the Namespace makes one more). */
  readonly perKind: number;
  /** The many-Applications measurement: how many, and objects of each kind (plus a ConfigMap). */
  readonly many: { readonly applications: number; readonly perKind: number };
  /** How long to idle after all are Ready before the second reading. */
  readonly idleMs: number;
  /** Flags of the reconciler process beyond the defaults. */
  readonly flags: readonly string[];
}

/** 200 Applications of 25 objects. */
export const defaultMemoryBench: MemoryBenchOptions = {
  applications: 200,
  perKind: 6,
  many: { applications: 1000, perKind: 2 },
  idleMs: 30_000,
  flags: [],
};

const appsNamespace = 'bench-memory';
const targetMiB = 150;
const manyTargetMiB = 250;

/** One set of Applications to sync: how many, and their shape. */
interface Load {
  readonly applications: number;
  readonly perKind: number;
  readonly extraConfigMaps: number;
}

/** One measurement: a fresh reconciler with `nodeFlags` syncing a fresh set of Applications. */
interface Measurement {
  readonly idleMiB: number;
  readonly readyMiB: number;
  readonly settledMiB: number;
  readonly peakMiB: number;
  readonly allReadyMs: number;
  /** The V8 heap (total and used) and memory outside it, from its own metrics, in MiB. */
  readonly heap: Readonly<Record<string, number>>;
}

/** Runs the benchmark against the environment described by `env`. */
export async function benchMemory(
  env: LocalEnvInfo,
  options: MemoryBenchOptions = defaultMemoryBench,
): Promise<BenchResult> {
  const before = machineLoad();
  const kube = await adminClient(env.kubeconfig);
  await installCrd(kube);
  const git = { url: env.gitUrl, username: env.gitUsername, password: env.gitPassword };
  await appNamespace(kube, appsNamespace, git);
  const runtime = imageRuntime();
  const load: Load = { ...options, extraConfigMaps: 0 };
  const many: Load = { ...options.many, extraConfigMaps: 1 };
  const image = await measure(env, kube, options, load, runtime, 'i');
  const plain = await measure(env, kube, options, load, { nodeFlags: [], env: {} }, 'p');
  const crowd = await measure(env, kube, options, many, runtime, 'c');
  const settings = [
    ...Object.entries(runtime.env).map(([name, value]) => `${name}=${value}`),
    'node',
    ...runtime.nodeFlags,
  ].join(' ');
  const objectsOf = (l: Load) => 1 + 4 * l.perKind + l.extraConfigMaps;
  const rss = (m: Measurement) => Math.round(Math.max(m.readyMiB, m.settledMiB));
  const what = `${options.applications} Applications x ${objectsOf(load)} objects, all Ready`;
  const manyWhat = `${many.applications} Applications x ${objectsOf(many)} objects, all Ready`;
  return {
    name: 'memory',
    rows: [
      {
        measure: `reconciler RSS, ${what} (${settings}, as the image runs it)`,
        unit: 'MiB',
        ours: rss(image),
        target: `<= ${targetMiB} MiB`,
        met: rss(image) <= targetMiB,
        note: `VmRSS, the larger of right after all were Ready and ${options.idleMs / 1000} s later`,
      },
      {
        measure: 'peak RSS during that first sync (VmHWM)',
        unit: 'MiB',
        ours: Math.round(image.peakMiB),
      },
      {
        measure: `reconciler RSS, ${what} (plain node, as npm run reconciler runs it)`,
        unit: 'MiB',
        ours: rss(plain),
      },
      {
        measure: 'peak RSS during that first sync (VmHWM)',
        unit: 'MiB',
        ours: Math.round(plain.peakMiB),
      },
      {
        measure: `reconciler RSS, ${manyWhat} (as the image runs it)`,
        unit: 'MiB',
        ours: rss(crowd),
        target: `<= ${manyTargetMiB} MiB`,
        met: rss(crowd) <= manyTargetMiB,
        note: `all Ready ${Math.round(crowd.allReadyMs / 1000)} s after the first was created`,
      },
      {
        measure: 'peak RSS during that first sync (VmHWM)',
        unit: 'MiB',
        ours: Math.round(crowd.peakMiB),
      },
    ],
    load: { before, after: machineLoad() },
    details: { image: { runtime, ...image }, plain, many: crowd, flags: options.flags },
  };
}

async function measure(
  env: LocalEnvInfo,
  kube: Awaited<ReturnType<typeof adminClient>>,
  options: MemoryBenchOptions,
  load: Load,
  runtime: ImageRuntime,
  label: string,
): Promise<Measurement> {
  const git = { url: env.gitUrl, username: env.gitUsername, password: env.gitPassword };
  const tag = `${label}${Date.now().toString(36)}`;
  const shapes: SetShape[] = Array.from({ length: load.applications }, (_, i) => ({
    prefix: `m${tag}-${String(i).padStart(4, '0')}`,
    namespaces: 1,
    perKind: load.perKind,
    extraConfigMaps: load.extraConfigMaps,
  }));
  const files = Object.assign(
    {},
    ...shapes.map((shape) => setFiles(`apps/${shape.prefix}`, shape)),
  );
  const repo = await pushRepo(git, `bench/memory-${tag}`, files);
  const reconciler = await startReconcilerProcess({
    kubeconfig: env.kubeconfig,
    kustomize: env.kustomize,
    namespace: appsNamespace,
    flags: options.flags,
    runtime,
  });
  try {
    const idle = await reconciler.memory();
    const synced = await timed(async () => {
      for (const shape of shapes) {
        await applyApplication(kube, {
          namespace: appsNamespace,
          name: shape.prefix,
          url: repo.url,
          path: `apps/${shape.prefix}`,
        });
      }
      const names = shapes.map((shape) => shape.prefix);
      await waitAllReady(kube, appsNamespace, names, repo.commit, {
        timeoutMs: 30 * 60_000,
        intervalMs: 1000,
      });
    });
    const ready = await reconciler.memory();
    await sleep(options.idleMs);
    const settled = await reconciler.memory();
    const metrics = await reconciler.metrics();
    const heap = Object.fromEntries(
      [
        'nodejs_heap_size_total_bytes',
        'nodejs_heap_size_used_bytes',
        'nodejs_external_memory_bytes',
      ].map((name) => [name, Math.round(sumCounter(metrics, name) / 2 ** 20)]),
    );
    return {
      idleMiB: idle.rssMiB,
      readyMiB: ready.rssMiB,
      settledMiB: settled.rssMiB,
      peakMiB: settled.peakMiB,
      allReadyMs: Math.round(synced.ms),
      heap,
    };
  } finally {
    await reconciler.stop();
    await rm(repo.dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const applications = Number(argument('applications')) || undefined;
  const many = Number(argument('many')) || undefined;
  await withEnvironment(async (env) => [
    await benchMemory(env, {
      ...defaultMemoryBench,
      ...(applications ? { applications } : {}),
      ...(many ? { many: { ...defaultMemoryBench.many, applications: many } } : {}),
      flags: reconcilerFlags(),
    }),
  ]);
}
