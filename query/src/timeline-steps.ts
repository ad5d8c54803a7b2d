/**
 * The steps of a timeline from an Application's status, one small function each: fetched and
 * applied from the sync history, healthy from the `Healthy` condition. Pure; see `timeline.ts`.
 */
import { commitOf, type SyncRecord } from './applications.ts';
import { conditionOf, statusOf } from './history.ts';
import type { RawApplication } from './kube.ts';
import type { StepState, TimelineStep, TimelineStepName } from './timeline.ts';

/** A step before its duration is known. */
export type Step = Omit<TimelineStep, 'afterMs'>;

/** Fetched: when the first reconcile of the revision started, or when it said it was applying it. */
export function fetchedOf(app: RawApplication, commit: string, run: SyncRecord[]): Step {
  const oldest = run.at(-1);
  if (oldest) return done('fetched', oldest.startedAt, '');
  const status = statusOf(app);
  const reconciling = conditionOf(app, 'Reconciling');
  if (commitOf(status.lastAttemptedRevision ?? '') === commit)
    return done(
      'fetched',
      reconciling?.status === 'True' ? (reconciling.lastTransitionTime ?? '') : '',
      '',
    );
  if (commitOf(status.lastAppliedRevision ?? '') === commit)
    return done('fetched', '', 'no longer in the history');
  return step('fetched', 'pending', '', '');
}

/** Applied: when the first successful sync of the revision finished. */
export function appliedOf(app: RawApplication, commit: string, run: SyncRecord[]): Step {
  const succeeded = run.findLast((h) => h.result === 'Succeeded');
  if (succeeded) return done('applied', succeeded.finishedAt, '');
  const status = statusOf(app);
  if (commitOf(status.lastAppliedRevision ?? '') === commit)
    return done('applied', '', 'no longer in the history');
  // A failed health check comes after the apply: the objects were written.
  const unhealthy = run.findLast((h) => h.reason === 'HealthCheckFailed');
  if (unhealthy) return done('applied', unhealthy.finishedAt, 'the health check failed');
  const newest = run[0];
  if (newest) return step('applied', 'failed', newest.finishedAt, newest.reason ?? 'Failed');
  return step('applied', 'pending', '', '');
}

/** Whether the run is the newest in the history (or there is none): the revision runs now. */
export function isNewest(app: RawApplication, run: SyncRecord[]): boolean {
  return run.length === 0 || (statusOf(app).history ?? [])[0] === run[0];
}

/**
 * Whether a newer revision than the run's was applied in full, though it failed after: its
 * health check or its prune failed (the reconciler applies, then prunes, then checks health).
 */
export function appliedOver(app: RawApplication, run: SyncRecord[]): boolean {
  const history = statusOf(app).history ?? [];
  const at = run[0] ? history.indexOf(run[0]) : history.length;
  return history
    .slice(0, at)
    .some((h) => h.reason === 'HealthCheckFailed' || h.reason === 'PruneFailed');
}

/**
 * Healthy: since when the `Healthy` condition is True (or since the apply, when it was True
 * throughout), False is failed, Progressing is pending; `NotChecked` is unknown. The condition
 * speaks of what runs now: the applied revision, or the newest one tried (a failed health
 * check), or a traced image's bump (its workloads still run it after a later config commit);
 * of a revision synced over since (`runsNow` false) it says nothing.
 */
export function healthyOf(app: RawApplication, applied: Step, runsNow: boolean): Step {
  if (applied.state !== 'done') return step('healthy', 'pending', '', '');
  if (!runsNow) return step('healthy', 'unknown', '', 'a newer revision was synced since');
  const healthy = conditionOf(app, 'Healthy');
  const since = healthy?.lastTransitionTime ?? '';
  const message = healthy?.message ?? '';
  if (healthy?.status === 'True') return done('healthy', later(applied.at, since), message);
  if (healthy?.status === 'False') return step('healthy', 'failed', since, message);
  if (healthy?.reason === 'Progressing') return step('healthy', 'pending', '', message);
  return step(
    'healthy',
    'unknown',
    '',
    message || (healthy ? 'not checked' : 'no Healthy condition yet'),
  );
}

/** The later of two recorded times ('' when neither is). */
function later(a: string, b: string): string {
  if (!a || !b) return a || b;
  return Date.parse(a) >= Date.parse(b) ? a : b;
}

export function step(name: TimelineStepName, state: StepState, at: string, detail: string): Step {
  return { step: name, state, at, detail };
}

export function done(name: TimelineStepName, at: string, detail: string): Step {
  return step(name, 'done', at, detail);
}
