/**
 * What an Application's status says about one config commit: its lines in `status.history`,
 * since when its revision runs, and the conditions. Pure helpers for the timeline and the
 * matrix, so both read the reconciler's record the same way.
 */
import { commitOf, type SyncRecord } from './applications.ts';
import type { RawApplication } from './kube.ts';

/** A condition as the reconciler writes it (`metav1.Condition`). */
export interface StatusCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The part of an Application's status the timeline and the matrix read. */
export interface HistoryStatus {
  conditions?: StatusCondition[];
  lastAppliedRevision?: string;
  lastAttemptedRevision?: string;
  lastAppliedSource?: { repository?: string; commit?: string; workflowRun?: string };
  health?: { status?: string; message?: string };
  history?: SyncRecord[];
}

/** The status of `app`, typed for reading. */
export function statusOf(app: RawApplication): HistoryStatus {
  return (app.status ?? {}) as HistoryStatus;
}

/** The condition of `type`, if written. */
export function conditionOf(app: RawApplication, type: string): StatusCondition | undefined {
  return statusOf(app).conditions?.find((c) => c.type === type);
}

/**
 * The history lines of `commit`, newest first: the newest unbroken run of lines whose revision
 * names it (a re-apply after drift adds a line of the same revision; another revision in
 * between starts another run). Empty when the history (kept to its last lines) has none.
 */
export function runOf(history: readonly SyncRecord[], commit: string): SyncRecord[] {
  const start = history.findIndex((h) => commitOf(h.revision) === commit);
  if (start < 0) return [];
  let end = start;
  while (end + 1 < history.length && commitOf(history[end + 1]?.revision ?? '') === commit)
    end += 1;
  return history.slice(start, end + 1);
}

/**
 * Since when the applied revision runs: when the oldest successful line of its newest run
 * finished; '' when the history no longer holds it.
 */
export function appliedSince(app: RawApplication): string {
  const status = statusOf(app);
  const run = runOf(status.history ?? [], commitOf(status.lastAppliedRevision ?? ''));
  return run.findLast((h) => h.result === 'Succeeded')?.finishedAt ?? '';
}
