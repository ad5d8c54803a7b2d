/**
 * The bundled action in a fresh process, as a runner runs a `uses:` step (every input of
 * `action.yml` as `INPUT_<NAME>`, the `GITHUB_*` and `RUNNER_*` variables, see
 * `test/demo/runner.ts`), validating a config repository with `commit: none` and no images,
 * and what it cost: wall time, the CPU time of the whole process tree, the part kustomize's
 * builds took, and the action process's peak resident memory (see `action-probe.mjs`).
 *
 * The alternative it is compared with is measured here too: a shell loop of `kustomize build`
 * over the same overlays, its wall time and the CPU time of the shell and its children.
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { access, cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { actionDir, resolveInputs, runnerFiles, stepEnvironment } from '../../test/demo/runner.ts';

const run = promisify(execFile);
const probe = join(import.meta.dirname, 'action-probe.mjs');

/** CPU time (user + system, ms) of the children this process has reaped, from `/proc/self/stat`. */
export function reapedChildrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // cutime and cstime are fields 16 and 17, in clock ticks of 10 ms.
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) * 10;
}

/** A bare repository holding `tree` in one commit on `main`; its `file://` URL. */
export async function bareRepository(tree: string, dir: string): Promise<string> {
  const work = join(dir, 'seed');
  await cp(tree, work, { recursive: true });
  const git = (args: string[], cwd?: string) => run('git', args, { cwd });
  await git(['init', '-q', '-b', 'main'], work);
  await git(['add', '-A'], work);
  await git(['-c', 'user.name=b', '-c', 'user.email=b@example.com', 'commit', '-qm', 'seed'], work);
  await git(['clone', '-q', '--bare', work, join(dir, 'origin.git')]);
  await rm(work, { recursive: true, force: true });
  return `file://${join(dir, 'origin.git')}`;
}

/** One run of the bundled action. */
export interface ActionProcessRun {
  readonly wallMs: number;
  /** The process tree: node, kustomize and git. */
  readonly treeCpuMs: number;
  /** The action process's own. */
  readonly selfCpuMs: number;
  /** The children reaped after the first `kustomize build` started: the builds. */
  readonly buildsCpuMs: number;
  readonly peakRssMiB: number;
  /** The action process's own CPU time when its first and its last build started. */
  readonly selfCpuAtFirstBuildMs: number;
  readonly selfCpuAtLastBuildMs: number;
  /** CPU time by thread name (`node` is the main thread). */
  readonly threadCpuMs: Readonly<Record<string, number>>;
  /** `kustomize build`, `git clone`, ...: what the action started, in order. */
  readonly spawned: readonly string[];
  /** When each was started, and when the process exited, in ms since it started. */
  readonly spawnedAtMs: readonly number[];
  readonly exitAtMs: number;
  /** The action's log. */
  readonly stdout: string;
}

/** What to run the action on. */
export interface ActionProcessOptions {
  /** The config repository, as the `repository` input. */
  readonly repository: string;
  /** Holds the `kustomize` binary; first on `PATH`. */
  readonly kustomizeDir: string;
  /** Write a V8 CPU profile of the action process here. */
  readonly cpuProfDir?: string;
}

/** Throws unless the action is bundled (`npm run build -w action`). */
export async function requireBundle(): Promise<void> {
  await access(join(actionDir, 'dist/index.js')).catch(() => {
    throw new Error('action/dist/index.js is missing: run `npm run build -w action` first');
  });
}

/** Runs the action once; throws when it fails or reports an error. */
export async function runBundledAction(options: ActionProcessOptions): Promise<ActionProcessRun> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-runner-'));
  try {
    const files = await runnerFiles(dir, {});
    const probeFile = join(dir, 'probe.json');
    const metadata = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: unknown }>;
    };
    const context = {
      repository: 'acme/config',
      sha: '5f1d3c0ffee5f1d3c0ffee5f1d3c0ffee5f1d3c0',
      ref: 'refs/heads/main',
      eventName: 'workflow_dispatch',
      event: {},
      runId: '1',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      token: '',
    };
    const given = { repository: options.repository, commit: 'none' };
    const inputs = resolveInputs(metadata.inputs, given, context);
    const step = { inputs: given, context, toolDirs: [options.kustomizeDir] };
    const env = {
      ...stepEnvironment(step, inputs, files),
      PATH: `${options.kustomizeDir}:/usr/local/bin:/usr/bin:/bin`,
      KUSTODIAN_BENCH_PROBE: probeFile,
    };
    const profile =
      options.cpuProfDir === undefined
        ? []
        : ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`];
    const args = ['--import', probe, ...profile, join(actionDir, 'dist/index.js')];
    const cpuBefore = reapedChildrenCpuMs();
    const started = performance.now();
    const { code, stdout, stderr } = await new Promise<{
      code: number | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      const child = spawn(process.execPath, args, { env, cwd: dir, stdio: 'pipe' });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('close', (exit) => resolve({ code: exit, stdout: out, stderr: err }));
    });
    const wallMs = performance.now() - started;
    const treeCpuMs = reapedChildrenCpuMs() - cpuBefore;
    if (code !== 0) throw new Error(`the action exited ${code}:\n${stdout}\n${stderr}`);
    const probed = JSON.parse(await readFile(probeFile, 'utf8')) as {
      selfCpuMs: number;
      buildsCpuMs: number;
      peakRssKiB: number;
      threadCpuMs: Record<string, number>;
      selfCpuAtFirstBuildMs: number;
      selfCpuAtLastBuildMs: number;
      spawned: string[];
      spawnedAtMs: number[];
      exitAtMs: number;
    };
    const firstBuild = probed.spawned.indexOf('kustomize build');
    const afterBuilds = probed.spawned.slice(firstBuild).filter((s) => s !== 'kustomize build');
    if (afterBuilds.length > 0) {
      throw new Error(`the action started ${afterBuilds.join(', ')} among its builds`);
    }
    return {
      wallMs,
      treeCpuMs,
      selfCpuMs: probed.selfCpuMs,
      buildsCpuMs: probed.buildsCpuMs,
      peakRssMiB: probed.peakRssKiB / 1024,
      threadCpuMs: probed.threadCpuMs,
      selfCpuAtFirstBuildMs: probed.selfCpuAtFirstBuildMs,
      selfCpuAtLastBuildMs: probed.selfCpuAtLastBuildMs,
      spawned: probed.spawned,
      spawnedAtMs: probed.spawnedAtMs,
      exitAtMs: probed.exitAtMs,
      stdout,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The alternative: each overlay built in turn by a shell, its output thrown away. */
const shellLoop = 'for dir in "$@"; do "$KUSTOMIZE" build "$dir" > /dev/null || exit 1; done';

/** One run of the loop: its wall time and the CPU time of the shell and every build. */
export async function runKustomizeLoop(
  kustomize: string,
  dirs: readonly string[],
): Promise<{ wallMs: number; cpuMs: number }> {
  const cpuBefore = reapedChildrenCpuMs();
  const started = performance.now();
  // The shell inherits this process's environment, as a workflow step inherits the runner's.
  await run('bash', ['-c', shellLoop, 'loop', ...dirs], {
    env: { ...process.env, KUSTOMIZE: kustomize },
  });
  return { wallMs: performance.now() - started, cpuMs: reapedChildrenCpuMs() - cpuBefore };
}
