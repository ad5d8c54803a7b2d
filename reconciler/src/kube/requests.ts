/**
 * Counting requests by verb: what a metrics exporter reads and what tests assert ("a no-op
 * resync makes zero writes"). Dry runs are counted apart from real writes, because they change
 * nothing.
 */

/** What a request did. */
export const requestVerbs = [
  'discover',
  'get',
  'list',
  'watch',
  'apply',
  'dryRunApply',
  'patch',
  'delete',
  'dryRunDelete',
] as const;
export type RequestVerb = (typeof requestVerbs)[number];

/** The verbs that change the cluster. */
export const writeVerbs: readonly RequestVerb[] = ['apply', 'patch', 'delete'];

/** Requests made so far, by verb. */
export type RequestCounts = Readonly<Record<RequestVerb, number>>;

/** Called after every request with its verb and HTTP status (0 when no response came). */
export type RequestObserver = (verb: RequestVerb, httpStatus: number) => void;

/** A counter of requests by verb. */
export class RequestCounter {
  readonly #counts = new Map<RequestVerb, number>();

  /** Counts one request. */
  add(verb: RequestVerb): void {
    this.#counts.set(verb, (this.#counts.get(verb) ?? 0) + 1);
  }

  /** A snapshot of the counts; every verb is present. */
  snapshot(): RequestCounts {
    return byVerb((verb) => this.#counts.get(verb) ?? 0);
  }
}

/** The number of writes (real applies, patches and deletes) in a snapshot. */
export function writesIn(counts: RequestCounts): number {
  return writeVerbs.reduce((sum, verb) => sum + counts[verb], 0);
}

/** The difference `after - before`, per verb. */
export function countsSince(before: RequestCounts, after: RequestCounts): RequestCounts {
  return byVerb((verb) => after[verb] - before[verb]);
}

function byVerb(count: (verb: RequestVerb) => number): RequestCounts {
  return Object.fromEntries(requestVerbs.map((verb) => [verb, count(verb)])) as RequestCounts;
}
