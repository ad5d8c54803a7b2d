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
import { byCodeUnits, commitOf } from './applications.ts';
import { runOf, statusOf } from './history.ts';
import type { RawApplication } from './kube.ts';
import {
  appliedOf,
  appliedOver,
  done,
  fetchedOf,
  healthyOf,
  isNewest,
  type Step,
  step,
} from './timeline-steps.ts';
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

function withDurations(steps: Step[]): TimelineStep[] {
  return steps.map((s, i) => {
    const before = steps[i - 1]?.at ?? '';
    const ms = s.at && before ? Date.parse(s.at) - Date.parse(before) : Number.NaN;
    return { ...s, afterMs: Number.isFinite(ms) ? ms : null };
  });
}
