/**
 * Running a benchmark file on its own or under `bench/run.ts`: the local environment (started
 * here, or the one a `--env <file>` JSON names, as `run.ts` and `env:up` write it), the results
 * printed as a table and written as JSON (`--results <file>`, else `bench/results/<name>.json`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type LocalEnvInfo, startLocalEnv } from '../../test/env/index.ts';
import { type BenchResult, formatTable, writeResults } from './results.ts';

const resultsDir = resolve(import.meta.dirname, '../results');

/** The value after `--<name>` on the command line (before any `--`), if given. */
export function argument(name: string): string | undefined {
  const end = process.argv.indexOf('--');
  const args = end >= 0 ? process.argv.slice(0, end) : process.argv;
  const at = args.indexOf(`--${name}`);
  return at >= 0 ? args[at + 1] : undefined;
}

/** Arguments after `--`: flags for the reconciler process (`-- --qps=100`). */
export function reconcilerFlags(): string[] {
  const at = process.argv.indexOf('--');
  return at >= 0 ? process.argv.slice(at + 1) : [];
}

/** Prints `results` as a table and writes them as JSON. */
export async function report(results: readonly BenchResult[]): Promise<void> {
  console.log(formatTable(results));
  const file =
    argument('results') ?? resolve(resultsDir, `${results.map((r) => r.name).join('-')}.json`);
  await writeResults(file, results);
}

/** Runs `bench` against an environment, then reports its results. */
export async function withEnvironment(
  bench: (env: LocalEnvInfo) => Promise<BenchResult[]>,
): Promise<BenchResult[]> {
  const file = argument('env');
  const given =
    file === undefined ? undefined : (JSON.parse(await readFile(file, 'utf8')) as LocalEnvInfo);
  const started = given ? undefined : await startLocalEnv();
  try {
    const results = await bench(given ?? (started as NonNullable<typeof started>).info);
    await report(results);
    return results;
  } finally {
    await started?.stop();
  }
}
