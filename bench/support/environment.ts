/**
 * Running a benchmark file on its own: one local environment (or the one a `--env <file>` JSON
 * names, as `env:up` writes it), the results printed as a table and written to
 * `bench/results/<name>.json`.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type LocalEnvInfo, startLocalEnv } from '../../test/env/index.ts';
import { type BenchResult, formatTable, writeResults } from './results.ts';

const resultsDir = resolve(import.meta.dirname, '../results');

/** The environment's info, from `--env <file>` when given. */
async function givenEnvironment(): Promise<LocalEnvInfo | undefined> {
  const at = process.argv.indexOf('--env');
  const file = at >= 0 ? process.argv[at + 1] : undefined;
  return file === undefined
    ? undefined
    : (JSON.parse(await readFile(file, 'utf8')) as LocalEnvInfo);
}

/** Arguments after `--`: flags for the reconciler process (`-- --qps=100`). */
export function reconcilerFlags(): string[] {
  const at = process.argv.indexOf('--');
  return at >= 0 ? process.argv.slice(at + 1) : [];
}

/** Runs `bench` against an environment, prints its table and writes its JSON. */
export async function withEnvironment(
  bench: (env: LocalEnvInfo) => Promise<BenchResult[]>,
  resultsFile?: string,
): Promise<BenchResult[]> {
  const given = await givenEnvironment();
  const started = given ? undefined : await startLocalEnv();
  try {
    const results = await bench(given ?? (started as NonNullable<typeof started>).info);
    console.log(formatTable(results));
    const name = resultsFile ?? `${results.map((r) => r.name).join('-')}.json`;
    await writeResults(resolve(resultsDir, name), results);
    return results;
  } finally {
    await started?.stop();
  }
}
