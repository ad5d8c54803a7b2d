/**
 * The reconciler as users run it out of the cluster, `node reconciler/src/main.ts`, as a child
 * process of the benchmark: its metrics endpoint, its resident memory, and a graceful stop.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../test/env/ports.ts';

const mainFile = resolve(import.meta.dirname, '../../reconciler/src/main.ts');
const dockerfile = resolve(import.meta.dirname, '../../reconciler/Dockerfile');

/** How the reconciler image runs node: its flags, and the allocator setting of its environment. */
export interface ImageRuntime {
  readonly nodeFlags: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The runtime settings of the reconciler image, read from its Dockerfile (the arguments between
 * `node` and the script in `ENTRYPOINT`, and `MALLOC_ARENA_MAX` from `ENV`), so the benchmark
 * measures the reconciler as deployed.
 */
export function imageRuntime(): ImageRuntime {
  const text = readFileSync(dockerfile, 'utf8');
  const entrypoint = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(text)?.[1];
  const argv = entrypoint ? (JSON.parse(entrypoint) as string[]) : [];
  const arenas = /^ENV\s+MALLOC_ARENA_MAX=(\d+)\s*$/m.exec(text)?.[1];
  const script = argv.findIndex((arg) => arg.endsWith('main.ts'));
  return {
    nodeFlags: argv.slice(1, script),
    env: arenas ? { MALLOC_ARENA_MAX: arenas } : {},
  };
}

/** How to start it. */
export interface ReconcilerProcessOptions {
  readonly kubeconfig: string;
  readonly kustomize: string;
  /** Applications in this namespace only. */
  readonly namespace: string;
  /** Extra flags, such as `--qps`. */
  readonly flags?: readonly string[];
  /** How to run node: its flags before the script, and extra environment. */
  readonly runtime?: ImageRuntime;
}

/** A running reconciler process. */
export interface ReconcilerProcess {
  readonly pid: number;
  /** Its `/metrics` text. */
  metrics(): Promise<string>;
  /** `VmRSS` and `VmHWM` (the peak) from `/proc/<pid>/status`, in MiB. */
  memory(): Promise<{ rssMiB: number; peakMiB: number }>;
  /** The sum of a counter's series, optionally only those whose labels include `match`. */
  counter(name: string, match?: Readonly<Record<string, string>>): Promise<number>;
  /** Its own count of its API requests so far, by verb. */
  requests(): Promise<Record<string, number>>;
  /**
   * Milliseconds spent so far in each step of its reconciles (`resolve`, `fetch`, ..., `status`),
   * and in whole reconciles as `reconcile`.
   */
  steps(): Promise<Record<string, number>>;
  stop(): Promise<void>;
}

/** Starts the reconciler and waits until it answers `/readyz`. */
export async function startReconcilerProcess(
  options: ReconcilerProcessOptions,
): Promise<ReconcilerProcess> {
  const workDir = await mkdtemp(join(tmpdir(), 'kustodian-bench-reconciler-'));
  const port = await freePort();
  const args = [
    ...(options.runtime?.nodeFlags ?? []),
    mainFile,
    `--kubeconfig=${options.kubeconfig}`,
    `--kustomize=${options.kustomize}`,
    `--namespace=${options.namespace}`,
    `--work-dir=${workDir}`,
    `--metrics-port=${port}`,
    '--allow-http',
    '--log-level=warn',
    ...(options.flags ?? []),
  ];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...options.runtime?.env },
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const base = `http://127.0.0.1:${port}`;
  await waitUntilReady(base, child, () => stderr);
  const metrics = async () => (await fetch(`${base}/metrics`)).text();
  return {
    pid: child.pid ?? 0,
    metrics,
    memory: async () => {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kib = (field: string) =>
        Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
      return { rssMiB: kib('VmRSS') / 1024, peakMiB: kib('VmHWM') / 1024 };
    },
    counter: async (name, match = {}) => sumCounter(await metrics(), name, match),
    requests: async () => {
      const counts: Record<string, number> = {};
      const series = /^kustodian_kube_requests_total\{verb="(\w+)"\} (\d+)/gm;
      for (const match of (await metrics()).matchAll(series)) {
        counts[match[1] ?? ''] = Number(match[2]);
      }
      return counts;
    },
    steps: async () => {
      const text = await metrics();
      const steps: Record<string, number> = {
        reconcile: sumCounter(text, 'kustodian_reconcile_duration_seconds_sum') * 1000,
      };
      const series = /^kustodian_reconcile_step_duration_seconds_sum\{step="(\w+)"\} (\S+)/gm;
      for (const match of text.matchAll(series)) {
        steps[match[1] ?? ''] = Number(match[2]) * 1000;
      }
      return steps;
    },
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((done) => child.once('exit', done));
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(15_000)]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

async function waitUntilReady(base: string, child: ChildProcess, stderr: () => string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the reconciler exited: ${stderr()}`);
    const ok = await fetch(`${base}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`the reconciler did not become ready within 60 s: ${stderr()}`);
}

/** What was added to each count between two readings. */
export function countsAdded(
  before: Readonly<Record<string, number>>,
  after: Readonly<Record<string, number>>,
): Record<string, number> {
  const added: Record<string, number> = {};
  for (const [key, count] of Object.entries(after)) {
    const more = count - (before[key] ?? 0);
    if (more > 0) added[key] = more;
  }
  return added;
}

/** Sums the series of counter `name` in a Prometheus text exposition whose labels include `match`. */
export function sumCounter(
  text: string,
  name: string,
  match: Readonly<Record<string, string>> = {},
): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labels = line.includes('{') ? line.slice(line.indexOf('{'), line.lastIndexOf('}')) : '';
    if (Object.entries(match).every(([key, value]) => labels.includes(`${key}="${value}"`))) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}
