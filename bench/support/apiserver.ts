/**
 * Counting what reached the API server, from its own `apiserver_request_total` metric: write
 * requests (by verb) to the resources a benchmark manages, with dry runs counted apart because
 * they write nothing.
 */
import type { KubeClient } from '../../reconciler/src/kube/client.ts';

/** Verbs of `apiserver_request_total` that change (or would change) stored objects. */
export const writeVerbs = [
  'APPLY',
  'PATCH',
  'POST',
  'PUT',
  'DELETE',
  'DELETECOLLECTION',
  'CREATE',
  'UPDATE',
] as const;

/** One series of `apiserver_request_total`. */
export interface RequestSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** The `apiserver_request_total` series of a Prometheus text exposition. */
export function parseRequestTotals(text: string): RequestSeries[] {
  const series: RequestSeries[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const close = line.lastIndexOf('}');
    const labels: Record<string, string> = {};
    for (const match of line.slice(line.indexOf('{') + 1, close).matchAll(/(\w+)="([^"]*)"/g)) {
      labels[match[1] ?? ''] = match[2] ?? '';
    }
    series.push({ labels, value: Number(line.slice(close + 1).trim()) });
  }
  return series;
}

/** Write requests to `resources` (their objects, not subresources such as `status`). */
export interface WriteCounts {
  /** Requests that could change stored objects. */
  readonly writes: number;
  /** Server-side dry runs (`dryRun=All`): validated and admitted, never stored. */
  readonly dryRuns: number;
  /** `writes` by verb. */
  readonly byVerb: Readonly<Record<string, number>>;
}

/** What was added between two readings of the metric, for `resources`. */
export function writesBetween(
  before: readonly RequestSeries[],
  after: readonly RequestSeries[],
  resources: ReadonlySet<string>,
): WriteCounts {
  const sum = (list: readonly RequestSeries[], dryRun: boolean, verb?: string) =>
    list
      .filter((s) => resources.has(s.labels.resource ?? '') && (s.labels.subresource ?? '') === '')
      .filter((s) => (writeVerbs as readonly string[]).includes(s.labels.verb ?? ''))
      .filter((s) => (verb === undefined || s.labels.verb === verb) && isDryRun(s) === dryRun)
      .reduce((total, s) => total + s.value, 0);
  const byVerb: Record<string, number> = {};
  for (const verb of writeVerbs) {
    const added = sum(after, false, verb) - sum(before, false, verb);
    if (added > 0) byVerb[verb] = added;
  }
  return {
    writes: sum(after, false) - sum(before, false),
    dryRuns: sum(after, true) - sum(before, true),
    byVerb,
  };
}

function isDryRun(series: RequestSeries): boolean {
  return (series.labels.dry_run ?? '') !== '';
}

/** Reads `apiserver_request_total` through an administrator's client. */
export async function readRequestTotals(kube: KubeClient): Promise<RequestSeries[]> {
  return parseRequestTotals(await kube.getRaw('/metrics'));
}

/** Runs `fn`, timing it and counting the write requests to `resources` meanwhile; what it returned. */
export async function countWrites<T>(
  kube: KubeClient,
  resources: ReadonlySet<string>,
  fn: () => Promise<T>,
): Promise<{ ms: number; value: T; writes: WriteCounts }> {
  const before = await readRequestTotals(kube);
  const started = performance.now();
  const value = await fn();
  const ms = performance.now() - started;
  const after = await readRequestTotals(kube);
  return { ms, value, writes: writesBetween(before, after, resources) };
}
