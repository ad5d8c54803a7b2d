/**
 * What a benchmark reports: rows of our figure beside the alternative's, with their ratio and
 * the target, printed as one table and written as JSON for the README.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { formatLoad, type MachineLoad } from './stats.ts';

/** One measured figure, ours beside what users would use instead. */
export interface ResultRow {
  /** What was measured: `first sync of 1,000 objects`. */
  readonly measure: string;
  /** The unit of `ours` and `alternative`: `ms`, `requests`, `MiB`. */
  readonly unit: string;
  readonly ours: number;
  /** What we are compared with, and its figure. */
  readonly alternative?: { readonly name: string; readonly value: number };
  /** The target, as text: `<= 0.5x`, `0`, `<= 150 MiB`. */
  readonly target?: string;
  /** Whether the target was met; absent when the row has no target. */
  readonly met?: boolean;
  /** How it was measured, when the row needs it. */
  readonly note?: string;
}

/** One benchmark's rows and the load it ran under. */
export interface BenchResult {
  readonly name: string;
  readonly rows: readonly ResultRow[];
  /** Load at the start and at the end of the benchmark. */
  readonly load: { readonly before: MachineLoad; readonly after: MachineLoad };
  /** Extra figures for the JSON file (per-round times, request counts). */
  readonly details?: Readonly<Record<string, unknown>>;
}

/** `ours / alternative`, or undefined when there is no alternative (or it is 0). */
export function ratioOf(row: ResultRow): number | undefined {
  const base = row.alternative?.value;
  return base === undefined || base === 0 ? undefined : row.ours / base;
}

/** The rows of every result as one aligned text table. */
export function formatTable(results: readonly BenchResult[]): string {
  const header = ['benchmark', 'measure', 'ours', 'alternative', 'ratio', 'target', 'met'];
  const lines: string[][] = [header];
  for (const result of results) {
    for (const row of result.rows) {
      const ratio = ratioOf(row);
      lines.push([
        result.name,
        row.measure,
        `${formatNumber(row.ours)} ${row.unit}`,
        row.alternative
          ? `${row.alternative.name}: ${formatNumber(row.alternative.value)} ${row.unit}`
          : '',
        ratio === undefined ? '' : `${ratio.toFixed(2)}x`,
        row.target ?? '',
        row.met === undefined ? '' : row.met ? 'yes' : 'NO',
      ]);
    }
  }
  const widths = header.map((_, column) =>
    Math.max(...lines.map((line) => line[column]?.length ?? 0)),
  );
  const text = lines.map((line) => line.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  '));
  const loads = results.map(
    (r) => `${r.name}: load ${formatLoad(r.load.before)} before, ${formatLoad(r.load.after)} after`,
  );
  return [...text, '', ...loads].join('\n');
}

/** Writes every result (with the time and machine) as JSON to `path`. */
export async function writeResults(path: string, results: readonly BenchResult[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const body = { finishedAt: new Date().toISOString(), node: process.version, results };
  await writeFile(path, `${JSON.stringify(body, null, 2)}\n`);
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value >= 100 ? 0 : 1);
}
