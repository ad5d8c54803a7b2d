/**
 * `npm run bench`: every benchmark, side by side with what users would use instead, in one run
 * on one local environment. Each benchmark runs in a process of its own (so one's memory and
 * JIT state do not colour the next), one after the other (so they do not compete for the two
 * cores), and prints its table; at the end all rows are printed as one table and written to
 * `bench/results/latest.json`, with the machine's load before and after each benchmark.
 *
 * 1. validate.bench.ts    the action's validate step vs a sequential `kustomize build` loop
 * 1b. validate-monorepo.bench.ts  the bundled action on a 60-overlay monorepo, in a fresh process,
 *                         vs the same loop: wall time, CPU beyond kustomize's, peak memory
 * 2. reconciler.bench.ts  first sync and no-op resync of 1,000 objects vs `kubectl apply --server-side`
 * 3. memory.bench.ts      resident memory with 200 Applications of 25 objects, 1,000 of 10
 * 4. races.bench.ts       16 concurrent push-mode bumps of one file vs pull/edit/push shell loops
 * 5. webhook.bench.ts     push -> applied through the webhook vs a CI job running kubectl apply
 * 6. cli.bench.ts         kustodian get -A over 1,000 Applications vs kubectl get kapp -A
 * 7. dashboard.bench.ts   the dashboard's list of 1,000 Applications (server and Chromium first
 *                         paint) and its memory with 20 open live streams
 */
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathWithPinnedTools } from '../test/env/binaries.ts';
import { startLocalEnv } from '../test/env/index.ts';
import { type BenchResult, formatTable, writeResults } from './support/results.ts';

const here = import.meta.dirname;

function runBench(file: string, args: readonly string[]): Promise<number> {
  console.log(`\n==> ${file}`);
  return new Promise((done) => {
    const child = spawn(process.execPath, [resolve(here, file), ...args], {
      stdio: 'inherit',
      env: { ...process.env, PATH: pathWithPinnedTools() },
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  });
}

const env = await startLocalEnv();
const results: BenchResult[] = [];
let failed = 0;
try {
  const envFile = join(env.dir, 'bench-env.json');
  await writeFile(envFile, JSON.stringify(env.info));
  for (const [file, args] of [
    ['validate.bench.ts', []],
    ['validate-monorepo.bench.ts', []],
    ['reconciler.bench.ts', ['--env', envFile]],
    ['memory.bench.ts', ['--env', envFile]],
    ['races.bench.ts', []],
    ['webhook.bench.ts', ['--env', envFile]],
    ['cli.bench.ts', ['--env', envFile]],
    ['dashboard.bench.ts', ['--env', envFile]],
  ] as const) {
    const out = join(env.dir, `${file}.json`);
    if ((await runBench(file, [...args, '--results', out])) !== 0) {
      failed++;
      continue;
    }
    const written = JSON.parse(await readFile(out, 'utf8')) as { results: BenchResult[] };
    results.push(...written.results);
  }
} finally {
  await env.stop();
}
console.log(`\n==> all benchmarks\n${formatTable(results)}`);
await writeResults(resolve(here, 'results/latest.json'), results);
process.exit(failed === 0 ? 0 : 1);
