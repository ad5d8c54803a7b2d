/**
 * The next `status` of an Application from the result of a reconcile: pure, so that the writer
 * can compare it with what is stored and skip the write when nothing changed (a no-op resync
 * must make zero writes).
 */
import { isDeepStrictEqual } from 'node:util';
import { commitTime } from '@kustodian/shared/time';
import type { Application, ApplicationStatus, SourceRecord } from '../api/application.ts';
import { generationOf, historyLimit, requestedAtAnnotation } from '../api/application.ts';
import type { ReconcileResult } from '../controller/reconcile.ts';
import { boundMessage, nextConditions } from './conditions.ts';

/** The trailer keys the Action writes into bump commits. */
export const sourceTrailers = {
  repository: 'Kustodian-Source-Repository',
  commit: 'Kustodian-Source-Commit',
  time: 'Kustodian-Source-Time',
  workflowRun: 'Kustodian-Workflow-Run',
} as const;

/** The status after `result`, keeping what the result says nothing about. */
export function nextStatus(
  app: Application,
  result: ReconcileResult,
  now: Date,
): ApplicationStatus {
  const before = app.status ?? {};
  const generation = generationOf(app);
  const next: ApplicationStatus = {
    ...before,
    observedGeneration: generation,
    conditions: nextConditions(
      before.conditions ?? [],
      result.outcome,
      generation,
      now,
      result.health?.status,
    ),
  };
  const requestedAt = app.metadata.annotations;
  const marker =
    typeof requestedAt === 'object' && requestedAt !== null
      ? (requestedAt as Record<string, unknown>)[requestedAtAnnotation]
      : undefined;
  if (typeof marker === 'string') next.lastHandledRequestedAt = marker;
  if (result.lastAttemptedRevision) next.lastAttemptedRevision = result.lastAttemptedRevision;
  if (result.lastAppliedRevision) {
    next.lastAppliedRevision = result.lastAppliedRevision;
    next.lastAppliedGeneration = generation;
    const source = traceOf(result.trailers ?? {});
    if (source) next.lastAppliedSource = source;
    else delete next.lastAppliedSource;
  }
  if (result.inventory) next.inventory = { entries: [...result.inventory] };
  if (result.health) {
    next.health = {
      status: result.health.status,
      message: boundMessage(result.health.message),
      counts: { ...result.health.counts },
    };
  }
  if (result.sync) {
    const sync = { ...result.sync };
    if (result.committedAt) sync.revisionTime = result.committedAt;
    const source = traceOf(result.trailers ?? {});
    if (source?.commit) sync.sourceCommit = source.commit;
    if (source?.time) sync.sourceTime = source.time;
    next.history = [sync, ...(before.history ?? [])].slice(0, historyLimit);
  }
  return next;
}

/**
 * The source record of a commit's trailers; `undefined` when they name none. The time is
 * written only when it is an RFC 3339 date-time (in UTC): the trailer is text anyone could
 * write, and the API server refuses a status whose time is not one.
 */
function traceOf(trailers: Readonly<Record<string, string>>): SourceRecord | undefined {
  const repository = trailers[sourceTrailers.repository];
  const commit = trailers[sourceTrailers.commit];
  const time = commitTime(trailers[sourceTrailers.time]);
  const workflowRun = trailers[sourceTrailers.workflowRun];
  if (!repository && !commit && !workflowRun) return undefined;
  return {
    ...(repository ? { repository } : {}),
    ...(commit ? { commit } : {}),
    ...(time ? { time } : {}),
    ...(workflowRun ? { workflowRun } : {}),
  };
}

/** Whether writing `next` would change the stored status. */
export function statusChanged(app: Application, next: ApplicationStatus): boolean {
  return !isDeepStrictEqual(normalize(app.status ?? {}), normalize(next));
}

function normalize(status: ApplicationStatus): unknown {
  return JSON.parse(JSON.stringify(status));
}
