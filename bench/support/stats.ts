/**
 * Measuring: wall-clock timing, medians of rounds, and the machine's load, which every figure
 * is reported beside (benchmarks share two cores with whatever else runs).
 */
import { availableParallelism, loadavg } from 'node:os';

/** The median of `values` (the upper middle for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** How long `fn` took, in milliseconds, and what it returned. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

/** The machine as a benchmark saw it. */
export interface MachineLoad {
  readonly cores: number;
  /** 1, 5 and 15 minute load averages. */
  readonly loadAverage: readonly [number, number, number];
}

/** The cores and load averages now. */
export function machineLoad(): MachineLoad {
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  const round = (value: number) => Math.round(value * 100) / 100;
  return { cores: availableParallelism(), loadAverage: [round(one), round(five), round(fifteen)] };
}

/** `1.23, 1.10, 0.98` */
export function formatLoad(load: MachineLoad): string {
  return load.loadAverage.map((value) => value.toFixed(2)).join(', ');
}
