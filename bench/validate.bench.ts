/**
 * Validating 20 overlays with the action's validate step (jail check, bounded-parallel
 * `kustomize build`, parsing, schema validation against the pinned Kubernetes version,
 * cross-overlay checks) against a plain sequential `kustomize build` loop over the same
 * overlays, measured in one run on the same machine. Prints the ratio (target: at most 0.6).
 *
 * `node bench/validate.bench.ts [--rounds N]`
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execaRunner } from '@kustodian/shared/exec';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { kustomizeCommandFor } from '@kustodian/shared/kustomize/locate';
import { renderOverlays } from '../action/src/validate/render.ts';
import { loadCrdCatalog, validateRendered } from '../action/src/validate/validate.ts';
import { requireBinary } from '../test/env/binaries.ts';

const run = promisify(execFile);
const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
const example = fileURLToPath(new URL('../examples/config-repo/', import.meta.url));

/**
 * 20 overlays: the example's two apps copied for five teams (each in its own namespace), each
 * with staging and production.
 */
async function makeRepository(dir: string): Promise<void> {
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

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

const kustomize = await requireBinary('kustomize');
const dir = await mkdtemp(join(tmpdir(), 'kustodian-bench-'));
try {
  await makeRepository(dir);
  const overlays = await findOverlays(dir);
  const concurrency = 4; // the default of the concurrency input
  const options = {
    root: dir,
    kustomize: kustomizeCommandFor(kustomize),
    runCommand: execaRunner,
    concurrency,
  };
  const action = async () => {
    const catalog = loadCrdCatalog(dir);
    const rendered = await renderOverlays(overlays, options);
    const result = await validateRendered(rendered, await catalog);
    const errors = result.problems.filter((problem) => problem.severity === 'error');
    if (errors.length > 0) throw new Error(`unexpected problems: ${errors[0]?.message}`);
  };
  const loop = async () => {
    for (const overlay of overlays)
      await run(kustomize, ['build', join(dir, overlay)], { maxBuffer: 64 << 20 });
  };
  await action(); // warm up: module loading, file caches
  await loop();
  const actionTimes: number[] = [];
  const loopTimes: number[] = [];
  for (let round = 0; round < rounds; round++) {
    loopTimes.push(await timed(loop));
    actionTimes.push(await timed(action));
  }
  const a = median(actionTimes);
  const l = median(loopTimes);
  console.log(
    `overlays: ${overlays.length}, cores: ${availableParallelism()}, build concurrency: ${concurrency}, rounds: ${rounds}`,
  );
  console.log(`sequential kustomize build loop: ${l.toFixed(0)} ms (median)`);
  console.log(`action validate step:            ${a.toFixed(0)} ms (median)`);
  console.log(`ratio: ${(a / l).toFixed(2)}x (target <= 0.60x)`);
} finally {
  await rm(dir, { recursive: true, force: true });
}
