/**
 * Validating 20 overlays with the action's validate step (jail check, bounded-parallel
 * `kustomize build`, parsing, schema validation against the pinned Kubernetes version,
 * cross-overlay checks; steps 6 and 7 of `action/src/run.ts`) against what a workflow runs
 * instead: a shell loop of `kustomize build "$dir" > /dev/null` over the same overlays. Both
 * run on the same machine in one run, alternating round by round.
 *
 * The first round is reported apart, as a runner runs it: the bundled `action/dist/index.js` in
 * a fresh process (starting Node, loading the bundle and the schemas it needs, cloning the
 * repository, and code the JavaScript engine has not optimized yet), with `commit: none` and no
 * images, against the loop; the medians of `fresh` such pairs (target: at most 1.0), and against
 * a job that starts from nothing as the action does: `git clone`, then the loop. Then, in
 * this process, `warmup` rounds are not counted; the medians of the `rounds` after them and their
 * ratio are the steady state (target: at most 0.6).
 *
 * `node bench/validate.bench.ts [--rounds N] [--warmup N] [--fresh N] [--concurrency N]
 * [--results <file>]` (the fresh rounds run the bundle as built: `npm run build -w action`)
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execaRunner } from '@kustodian/shared/exec';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { kustomizeCommandFor } from '@kustodian/shared/kustomize/locate';
import { renderOverlays } from '../action/src/validate/render.ts';
import { loadCrdCatalog, validateRendered } from '../action/src/validate/validate.ts';
import { requireBinary } from '../test/env/binaries.ts';
import {
  bareRepository,
  requireBundle,
  runBundledAction,
  runKustomizeLoop,
} from './support/action-process.ts';
import { argument, report } from './support/environment.ts';
import type { BenchResult } from './support/results.ts';
import { machineLoad, median, timed } from './support/stats.ts';

const run = promisify(execFile);
const example = fileURLToPath(new URL('../examples/config-repo/', import.meta.url));

/** What to run. */
export interface ValidateBenchOptions {
  readonly rounds: number;
  /** Rounds after the first that are run and not counted. */
  readonly warmup: number;
  /** Builds at once; the default of the action's `concurrency` input. */
  readonly concurrency: number;
  /** First rounds: the bundled action in a fresh process, beside a loop, this many times. */
  readonly fresh: number;
}

/** 12 rounds after 2 of warm-up, at the action's default concurrency; 3 fresh processes. */
export const defaultValidateBench: ValidateBenchOptions = {
  rounds: 12,
  warmup: 2,
  concurrency: 4,
  fresh: 3,
};

/**
 * 20 overlays: the example's two apps copied for five teams (each in its own namespace), each
 * with staging and production.
 */
export async function makeRepository(dir: string): Promise<void> {
  await cp(join(example, 'components'), join(dir, 'components'), { recursive: true });
  for (let team = 1; team <= 5; team++) {
    for (const app of ['web', 'api']) {
      const copy = join(dir, 'apps', `${app}-${team}`);
      await cp(join(example, 'apps', app), copy, { recursive: true });
      for (const file of ['kustomization.yaml', 'namespace.yaml']) {
        const path = join(copy, 'base', file);
        const text = await readFile(path, 'utf8');
        await writeFile(path, text.replace(/^(namespace| {2}name): (web|api)$/m, `$1: $2-${team}`));
      }
    }
  }
}

/** Runs the benchmark in a temporary repository. */
export async function benchValidate(
  options: ValidateBenchOptions = defaultValidateBench,
): Promise<BenchResult> {
  await requireBundle();
  const before = machineLoad();
  const kustomize = await requireBinary('kustomize');
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-'));
  try {
    await makeRepository(dir);
    const overlays = await findOverlays(dir);
    const renderOptions = {
      root: dir,
      kustomize: kustomizeCommandFor(kustomize),
      runCommand: execaRunner,
      concurrency: options.concurrency,
    };
    // Steps 6 and 7 of the action's pipeline, as run.ts runs them.
    const action = async () => {
      const catalog = loadCrdCatalog(dir);
      const rendered = await renderOverlays(overlays, renderOptions);
      const result = await validateRendered(rendered, await catalog);
      const errors = result.problems.filter((problem) => problem.severity === 'error');
      if (errors.length > 0) throw new Error(`unexpected problems: ${errors[0]?.message}`);
    };
    const dirs = overlays.map((overlay) => join(dir, overlay));
    const loop = async () => {
      await runKustomizeLoop(kustomize, dirs);
    };
    // First rounds: a fresh action process as a runner starts it, beside the loop.
    const repository = await bareRepository(dir, join(dir, '..', `${basename(dir)}-origin`));
    const freshLoops: number[] = [];
    const freshJobs: number[] = [];
    const freshActions: number[] = [];
    for (let round = 0; round < options.fresh; round++) {
      freshLoops.push((await runKustomizeLoop(kustomize, dirs)).wallMs);
      freshJobs.push(await cloneAndLoop(repository, overlays, kustomize));
      const ran = await runBundledAction({ repository, kustomizeDir: dirname(kustomize) });
      freshActions.push(ran.wallMs);
    }
    const firstAction = median(freshActions);
    const firstLoop = median(freshLoops);
    const firstJob = median(freshJobs);
    const actionTimes: number[] = [];
    const loopTimes: number[] = [];
    for (let round = 0; round < options.warmup + options.rounds; round++) {
      const loopMs = (await timed(loop)).ms;
      const actionMs = (await timed(action)).ms;
      if (round < options.warmup) continue;
      loopTimes.push(loopMs);
      actionTimes.push(actionMs);
    }
    const ours = Math.round(median(actionTimes));
    const loopMs = Math.round(median(loopTimes));
    const what = `validate ${overlays.length} overlays`;
    const loopName = 'shell loop of kustomize build';
    return {
      name: 'validate',
      rows: [
        {
          measure: `${what} (median of ${options.rounds} rounds after ${options.warmup} of warm-up)`,
          unit: 'ms',
          ours,
          alternative: { name: loopName, value: loopMs },
          target: '<= 0.60x',
          met: ours <= 0.6 * loopMs,
          note: `${options.concurrency} builds at once; jail, build, parse, schema and cross-overlay checks`,
        },
        {
          measure: `${what} (first round: the bundled action in a fresh process, median of ${options.fresh})`,
          unit: 'ms',
          ours: Math.round(firstAction),
          alternative: { name: loopName, value: Math.round(firstLoop) },
          target: '<= 1.00x',
          met: firstAction <= firstLoop,
          note: 'node start, bundle and schema loading, clone, discovery, then the same checks',
        },
        {
          measure: `${what} (first round, against a job that starts from nothing as the action does)`,
          unit: 'ms',
          ours: Math.round(firstAction),
          alternative: { name: 'git clone, then the shell loop', value: Math.round(firstJob) },
          note: 'the loop needs a checkout too; the action clones the repository itself',
        },
      ],
      load: { before, after: machineLoad() },
      details: {
        overlays: overlays.length,
        concurrency: options.concurrency,
        warmup: options.warmup,
        actionMs: actionTimes.map(Math.round),
        loopMs: loopTimes.map(Math.round),
        freshActionMs: freshActions.map(Math.round),
        freshLoopMs: freshLoops.map(Math.round),
        freshJobMs: freshJobs.map(Math.round),
      },
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
    await rm(join(dir, '..', `${basename(dir)}-origin`), { recursive: true, force: true });
  }
}

/**
 * A workflow job without the action: `git clone` of the repository the action clones (as the
 * action clones it: one branch, no tags), then the loop over the clone's overlays; its wall time.
 */
async function cloneAndLoop(
  repository: string,
  overlays: readonly string[],
  kustomize: string,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-job-'));
  try {
    const started = performance.now();
    const clone = join(dir, 'repo');
    await run('git', ['clone', '-q', '--no-tags', '--single-branch', repository, clone]);
    await runKustomizeLoop(
      kustomize,
      overlays.map((overlay) => join(clone, overlay)),
    );
    return performance.now() - started;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  const rounds = Number(argument('rounds')) || defaultValidateBench.rounds;
  const warmupArgument = argument('warmup');
  const warmup =
    warmupArgument === undefined ? defaultValidateBench.warmup : Number(warmupArgument);
  const concurrency = Number(argument('concurrency')) || defaultValidateBench.concurrency;
  const fresh = Number(argument('fresh')) || defaultValidateBench.fresh;
  await report([await benchValidate({ rounds, warmup, concurrency, fresh })]);
}
