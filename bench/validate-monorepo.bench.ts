/**
 * Validating a 60-overlay monorepo (8 shared service bases, 20 teams × 3 environments,
 * components and generators, about 3,400 rendered objects; see `support/monorepo.ts`) the way a
 * runner does it: the bundled `action/dist/index.js` in a fresh process per round (clone,
 * discovery, every build, parse, schema and cross-overlay checks; `commit: none`, no images),
 * against a shell loop of `kustomize build "$dir" > /dev/null` over the same overlays. The two
 * alternate round by round; the first round of each is not counted.
 *
 * Three figures, each the median of the rounds:
 * - wall time, ours over the loop's (target: at most 0.8);
 * - Kustodian's CPU beyond kustomize's own: the action's process tree (node, git, `kustomize
 *   version`) less what its `kustomize build` children took, as a fraction of the latter
 *   (target: at most 0.15);
 * - the action process's peak resident memory (target: at most 256 MiB).
 *
 * It runs `action/dist/index.js` as built (`npm run build -w action` first).
 *
 * `node bench/validate-monorepo.bench.ts [--rounds N] [--cpu-prof-dir <dir>] [--results <file>]`
 * With `--cpu-prof-dir`, one more round after the counted ones writes a V8 CPU profile of the
 * action process there (for Chrome DevTools or `speedscope`).
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { requireBinary } from '../test/env/binaries.ts';
import {
  type ActionProcessRun,
  bareRepository,
  requireBundle,
  runBundledAction,
  runKustomizeLoop,
} from './support/action-process.ts';
import { argument, report } from './support/environment.ts';
import { writeMonorepo } from './support/monorepo.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median } from './support/stats.ts';

/** What to run. */
export interface MonorepoBenchOptions {
  /** Counted rounds, after one that is not. */
  readonly rounds: number;
  /** Where one extra round writes a CPU profile of the action process; none when absent. */
  readonly cpuProfDir?: string;
}

export const defaultMonorepoBench: MonorepoBenchOptions = { rounds: 5 };

/** The targets. */
export const monorepoTargets = { wallRatio: 0.8, cpuBeyond: 0.15, peakRssMiB: 256 } as const;

/** Kustodian's CPU beyond its builds, as a fraction of the builds'. */
function cpuBeyond(run: ActionProcessRun): number {
  return (run.treeCpuMs - run.buildsCpuMs) / run.buildsCpuMs;
}

function countsOf(names: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of names) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

/** Runs the benchmark in a temporary repository. */
export async function benchValidateMonorepo(
  options: MonorepoBenchOptions = defaultMonorepoBench,
): Promise<BenchResult> {
  await requireBundle();
  const before = machineLoad();
  const kustomize = await requireBinary('kustomize');
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-monorepo-'));
  try {
    const tree = join(dir, 'tree');
    const overlays = await writeMonorepo(tree);
    const repository = await bareRepository(tree, dir);
    const dirs = overlays.map((overlay) => join(tree, overlay));
    const action = () => runBundledAction({ repository, kustomizeDir: dirname(kustomize) });
    const runs: ActionProcessRun[] = [];
    const loops: { wallMs: number; cpuMs: number }[] = [];
    for (let round = 0; round <= options.rounds; round++) {
      const loop = await runKustomizeLoop(kustomize, dirs);
      const ours = await action();
      if (round === 0) continue;
      loops.push(loop);
      runs.push(ours);
    }
    if (options.cpuProfDir !== undefined) {
      await mkdir(options.cpuProfDir, { recursive: true });
      await runBundledAction({
        repository,
        kustomizeDir: dirname(kustomize),
        cpuProfDir: options.cpuProfDir,
      });
      console.log(`CPU profile of the action process written to ${options.cpuProfDir}`);
    }
    const wall = Math.round(median(runs.map((run) => run.wallMs)));
    const loopWall = Math.round(median(loops.map((loop) => loop.wallMs)));
    const beyond = median(runs.map(cpuBeyond));
    const builds = Math.round(median(runs.map((run) => run.buildsCpuMs)));
    const beyondMs = Math.round(median(runs.map((run) => run.treeCpuMs - run.buildsCpuMs)));
    const rss = Math.round(median(runs.map((run) => run.peakRssMiB)));
    const what = `validate ${overlays.length} monorepo overlays, bundled action in a fresh process`;
    const loopName = 'shell loop of kustomize build';
    const rounds = `median of ${options.rounds} rounds`;
    return {
      name: 'validate-monorepo',
      rows: [
        {
          measure: `${what} (wall, ${rounds})`,
          unit: 'ms',
          ours: wall,
          alternative: { name: loopName, value: loopWall },
          target: `<= ${monorepoTargets.wallRatio.toFixed(2)}x`,
          met: wall <= monorepoTargets.wallRatio * loopWall,
          note: 'clone, discovery, jail, builds at the default concurrency, parse, schema and cross-overlay checks',
        },
        {
          measure: `${what} (CPU beyond kustomize build, ${rounds})`,
          unit: 'ms',
          ours: beyondMs,
          alternative: { name: 'its kustomize builds', value: builds },
          target: `<= ${monorepoTargets.cpuBeyond.toFixed(2)}x`,
          met: beyond <= monorepoTargets.cpuBeyond,
          note: 'node, git and kustomize version, over the CPU of the builds the action ran',
        },
        {
          measure: `${what} (peak RSS of the action process, ${rounds})`,
          unit: 'MiB',
          ours: rss,
          target: `<= ${monorepoTargets.peakRssMiB} MiB`,
          met: rss <= monorepoTargets.peakRssMiB,
        },
      ],
      load: { before, after: machineLoad() },
      details: {
        overlays: overlays.length,
        actionWallMs: runs.map((run) => Math.round(run.wallMs)),
        actionTreeCpuMs: runs.map((run) => Math.round(run.treeCpuMs)),
        actionSelfCpuMs: runs.map((run) => Math.round(run.selfCpuMs)),
        actionBuildsCpuMs: runs.map((run) => Math.round(run.buildsCpuMs)),
        actionThreadCpuMs: runs.map((run) => run.threadCpuMs),
        actionSpawned: countsOf(runs[0]?.spawned ?? []),
        actionPeakRssMiB: runs.map((run) => Math.round(run.peakRssMiB)),
        loopWallMs: loops.map((loop) => Math.round(loop.wallMs)),
        loopCpuMs: loops.map((loop) => Math.round(loop.cpuMs)),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const rounds = Number(argument('rounds')) || defaultMonorepoBench.rounds;
  const profileDir = argument('cpu-prof-dir');
  const cpuProfDir = profileDir === undefined ? undefined : resolve(profileDir);
  const result = await benchValidateMonorepo({ rounds, ...(cpuProfDir ? { cpuProfDir } : {}) });
  await report([result]);
  const ratio = (ours: number, base: number) => `${(ours / base).toFixed(2)}x`;
  const [wall, cpu, rss] = result.rows;
  const verdict = (met: boolean | undefined) => (met ? 'met' : 'NOT met');
  if (wall?.alternative && cpu?.alternative && rss) {
    console.log(
      [
        `wall ${ratio(wall.ours, wall.alternative.value)} of the loop (target ${wall.target}): ${verdict(wall.met)}`,
        `CPU beyond kustomize ${ratio(cpu.ours, cpu.alternative.value)} of its builds (target ${cpu.target}): ${verdict(cpu.met)}`,
        `peak RSS ${rss.ours} MiB (target ${rss.target}): ${verdict(rss.met)}`,
      ].join('\n'),
    );
  }
}
