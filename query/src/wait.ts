/**
 * Waiting for an Application to reach a goal: a sync request handled, a revision applied
 * (`synced`), or applied and healthy (`healthy`). One GET, then a watch of that Application
 * (see `watch.ts`): no polling.
 */
import { type ApplicationSummary, type Applications, commitOf, summarize } from './applications.ts';
import { QueryError, type RawApplication } from './kube.ts';

/** What to wait for. */
export const waitGoals = ['synced', 'healthy'] as const;
export type WaitGoal = (typeof waitGoals)[number];

/** How a wait ended. */
export const waitOutcomes = ['reached', 'failed', 'suspended', 'timeout'] as const;
export type WaitOutcome = (typeof waitOutcomes)[number];

/** What to wait for, and how long. */
export interface WaitSpec {
  goal: WaitGoal;
  /** A commit (or its prefix) that must be the applied one. */
  revision?: string | undefined;
  /** A sync request (`kustodian.dev/requested-at` value) that must have been handled. */
  requestedAt?: string | undefined;
  timeoutMs: number;
  /** Called with each state seen while waiting, summarized and as the API server sent it. */
  onProgress?: (app: ApplicationSummary, raw: RawApplication) => void;
}

/** The verdict of one state against a spec: undefined while it is still on the way. */
export function verdict(
  app: ApplicationSummary,
  spec: WaitSpec,
): Exclude<WaitOutcome, 'timeout'> | undefined {
  if (app.suspended) return 'suspended';
  if (spec.requestedAt !== undefined && app.handledRequestedAt !== spec.requestedAt)
    return undefined;
  const wanted = spec.revision;
  const attempted = commitOf(app.attemptedRevision);
  if (app.ready === 'False' && (!wanted || attempted.startsWith(wanted))) return 'failed';
  if (wanted && !app.commit.startsWith(wanted)) return undefined;
  if (spec.goal === 'synced')
    return app.revision && app.ready !== 'Unknown' ? 'reached' : undefined;
  return app.ready === 'True' && app.health === 'Healthy' ? 'reached' : undefined;
}

/** Watches the Application until the spec is reached, failed, or the time is up. */
export async function waitForApplication(
  apps: Applications,
  namespace: string,
  name: string,
  spec: WaitSpec,
): Promise<{ outcome: WaitOutcome; app: ApplicationSummary }> {
  // A GET first: a missing Application is an error, where a watch would only stay silent.
  let last = await apps.get(namespace, name);
  const stop = new AbortController();
  let outcome: WaitOutcome | undefined;
  let deleted = false;
  const timer = setTimeout(() => stop.abort(), spec.timeoutMs);
  try {
    await apps.changes.follow(
      namespace,
      name,
      (type, raw) => {
        if (outcome || deleted) return;
        if (type === 'DELETED') {
          deleted = true;
          stop.abort();
          return;
        }
        last = summarize(raw);
        spec.onProgress?.(last, raw);
        outcome = verdict(last, spec);
        if (outcome) stop.abort();
      },
      stop.signal,
    );
  } finally {
    clearTimeout(timer);
  }
  if (deleted)
    throw new QueryError('not-found', `Application ${namespace}/${name} was deleted while waiting`);
  return { outcome: outcome ?? 'timeout', app: last };
}
