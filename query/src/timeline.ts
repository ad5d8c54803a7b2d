/**
 * The path of a change to one Application, step by step: the app commit (from the Action's
 * trailers), the config (bump) commit, fetched and applied by the reconciler (its history), and
 * healthy (the `Healthy` condition), each with a state and, where the status records one, a
 * time, and the time between steps. Pure over the raw Applications and the trace's hits, so the
 * CLI and the dashboard tell the same story (`readTimeline` in `timeline-read.ts` fetches).
 *
 * Times come only from what is recorded: the Action's trailers carry no time and the reconciler
 * does not record commit times, so the two commit steps have none; a step with no record is
 * `unknown`, never guessed.
 */
import { byCodeUnits, commitOf, type SyncRecord } from './applications.ts';
import { conditionOf, runOf, statusOf } from './history.ts';
import type { RawApplication } from './kube.ts';
import type { TraceHit, TraceTarget } from './trace.ts';

/** The steps of a timeline, in order. */
export const timelineSteps = [
  'app-commit',
  'bump-commit',
  'fetched',
  'applied',
  'healthy',
] as const;
export type TimelineStepName = (typeof timelineSteps)[number];

/** Where a step stands. */
export const stepStates = ['done', 'pending', 'failed', 'unknown'] as const;
export type StepState = (typeof stepStates)[number];

/** How an Application came into the timeline. */
export const timelineMatches = ['image', 'config-commit', 'app-commit'] as const;
export type TimelineMatch = (typeof timelineMatches)[number];

/** One step. */
export interface TimelineStep {
  step: TimelineStepName;
  state: StepState;
  /** When it happened, as the status records it; '' when not recorded. */
  at: string;
  /** Milliseconds since the step before, when both times are known; else null. */
  afterMs: number | null;
  /** The commit, the reason or the message that goes with the step. */
  detail: string;
}

/** The timeline of one Application for one config commit. */
export interface Timeline {
  application: { namespace: string; name: string };
  cluster: string;
  matched: TimelineMatch;
  /** The config commit the steps follow (the bump commit). */
  commit: string;
  /** Its revision as the reconciler names it (`branch@sha1:<commit>`); '' when not recorded. */
  revision: string;
  appCommit: string;
  appRepository: string;
  workflowRun: string;
  /** `failed` when a step failed, else `pending` when one is pending, else `done`. */
  state: StepState;
  steps: TimelineStep[];
}

/** A step before its duration is known. */
type Step = Omit<TimelineStep, 'afterMs'>;

/** Failure reasons that stop a revision before it was fetched (the rest stop it at apply). */
const fetchReasons: ReadonlySet<string> = new Set(['AuthFailed', 'FetchFailed']);

/**
 * The timelines of `target`, sorted by namespace and name. An image names the Applications in
 * `hits` (the workloads running it) and their bump commit; a commit prefix names every
 * Application whose status records it, as a config commit (history, attempted or applied
 * revision) or an app commit (a history line's or the applied source's trailers), so a bump
 * that failed or is still being applied has a timeline too.
 */
export function timelinesOf(
  target: TraceTarget,
  apps: readonly RawApplication[],
  hits: readonly TraceHit[],
  cluster: string,
): Timeline[] {
  const sorted = [...apps].sort(
    (a, b) =>
      byCodeUnits(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
      byCodeUnits(a.metadata.name, b.metadata.name),
  );
  return sorted.flatMap((app) => {
    const found = target.kind === 'image' ? byImage(app, hits) : byCommit(app, target.text);
    return found ? [timelineOf(app, found.commit, found.matched, cluster)] : [];
  });
}

function byImage(
  app: RawApplication,
  hits: readonly TraceHit[],
): { commit: string; matched: TimelineMatch } | undefined {
  const hit = hits.find(
    (h) =>
      h.application.name === app.metadata.name &&
      h.application.namespace === (app.metadata.namespace ?? 'default'),
  );
  const commit = hit ? hit.bumpCommit || hit.appliedCommit : '';
  return commit ? { commit, matched: 'image' } : undefined;
}

/** The config commit `prefix` names in the status, else the one that brought app commit `prefix`. */
function byCommit(
  app: RawApplication,
  prefix: string,
): { commit: string; matched: TimelineMatch } | undefined {
  const status = statusOf(app);
  const history = status.history ?? [];
  const configs = [
    status.lastAttemptedRevision ?? '',
    status.lastAppliedRevision ?? '',
    ...history.map((h) => h.revision),
  ].map(commitOf);
  const config = configs.find((c) => c !== '' && c.startsWith(prefix));
  if (config) return { commit: config, matched: 'config-commit' };
  const line = history.find((h) => h.sourceCommit?.startsWith(prefix));
  if (line) return { commit: commitOf(line.revision), matched: 'app-commit' };
  const applied = commitOf(status.lastAppliedRevision ?? '');
  if (applied && status.lastAppliedSource?.commit?.startsWith(prefix))
    return { commit: applied, matched: 'app-commit' };
  return undefined;
}

/** The steps of `commit` in `app`'s status. */
export function timelineOf(
  app: RawApplication,
  commit: string,
  matched: TimelineMatch,
  cluster: string,
): Timeline {
  const status = statusOf(app);
  const run = runOf(status.history ?? [], commit);
  const applied = commitOf(status.lastAppliedRevision ?? '') === commit;
  const source = applied ? (status.lastAppliedSource ?? {}) : {};
  const appCommit = source.commit ?? run.find((h) => h.sourceCommit)?.sourceCommit ?? '';
  const revision =
    run[0]?.revision ??
    [status.lastAppliedRevision, status.lastAttemptedRevision].find(
      (r) => r && commitOf(r) === commit,
    ) ??
    '';
  const appliedStep = appliedOf(app, commit, run);
  const steps = withDurations([
    appCommit
      ? done('app-commit', '', source.repository ? `${source.repository}@${appCommit}` : appCommit)
      : step(
          'app-commit',
          'unknown',
          '',
          'the config commit carries no Kustodian-Source-Commit trailer',
        ),
    done('bump-commit', '', commit),
    fetchedOf(app, commit, run),
    appliedStep,
    healthyOf(
      app,
      appliedStep,
      matched === 'image' || isNewest(app, run) || (applied && !appliedOver(app, run)),
    ),
  ]);
  const state: StepState = steps.some((s) => s.state === 'failed')
    ? 'failed'
    : steps.some((s) => s.state === 'pending')
      ? 'pending'
      : 'done';
  return {
    application: { namespace: app.metadata.namespace ?? 'default', name: app.metadata.name },
    cluster,
    matched,
    commit,
    revision,
    appCommit,
    appRepository: source.repository ?? '',
    workflowRun: source.workflowRun ?? '',
    state,
    steps,
  };
}

/** Fetched: when the first reconcile of the revision started, or when it said it was applying it. */
function fetchedOf(app: RawApplication, commit: string, run: SyncRecord[]): Step {
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
  const ready = conditionOf(app, 'Ready');
  if (ready?.status === 'False' && fetchReasons.has(ready.reason ?? ''))
    return step('fetched', 'failed', ready.lastTransitionTime ?? '', reasonText(ready));
  return step('fetched', 'pending', '', '');
}

/** Applied: when the first successful sync of the revision finished. */
function appliedOf(app: RawApplication, commit: string, run: SyncRecord[]): Step {
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
function isNewest(app: RawApplication, run: SyncRecord[]): boolean {
  return run.length === 0 || (statusOf(app).history ?? [])[0] === run[0];
}

/**
 * Whether a newer revision than the run's was applied in full, though it failed after: its
 * health check or its prune failed (the reconciler applies, then prunes, then checks health).
 */
function appliedOver(app: RawApplication, run: SyncRecord[]): boolean {
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
function healthyOf(app: RawApplication, applied: Step, runsNow: boolean): Step {
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

function withDurations(steps: Step[]): TimelineStep[] {
  return steps.map((s, i) => {
    const before = steps[i - 1]?.at ?? '';
    const ms = s.at && before ? Date.parse(s.at) - Date.parse(before) : Number.NaN;
    return { ...s, afterMs: Number.isFinite(ms) ? ms : null };
  });
}

function step(name: TimelineStepName, state: StepState, at: string, detail: string): Step {
  return { step: name, state, at, detail };
}

function done(name: TimelineStepName, at: string, detail: string): Step {
  return step(name, 'done', at, detail);
}

function reasonText(c: { reason?: string; message?: string }): string {
  return [c.reason, c.message].filter(Boolean).join(': ');
}
