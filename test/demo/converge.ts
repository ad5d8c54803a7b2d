/**
 * Watching the cluster converge on a commit, from the outside, as a person with kubectl would:
 * the Application's status and the Deployment's spec and status, polled until each milestone
 * holds. The milestone checks and the status texts are pure; the loop records when each
 * milestone was first seen.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { StepError } from '@kustodian/shared/errors';
import type { KubeObject } from './kube.ts';

/** The milestones of one change, in the order they happen. */
export const milestones = ['seen', 'applied', 'rolledOut', 'ready'] as const;
export type Milestone = (typeof milestones)[number];

/** What the milestones mean, for people. */
export const milestoneText: Record<Milestone, string> = {
  seen: 'the reconciler fetched the commit',
  applied: 'the new image is in the Deployment',
  rolledOut: 'every pod runs the new image',
  ready: 'the Application is Ready at the commit',
};

/** The revision string the reconciler writes for `sha` reached through `branch` (as Flux does). */
export function revisionOf(branch: string, sha: string): string {
  return `${branch}@sha1:${sha}`;
}

/** `main@1a2b3c4` for `main@sha1:1a2b3c4...`, for people. */
export function shortRevision(revision: string): string {
  return revision.replace(/sha1:([0-9a-f]{7})[0-9a-f]*/, '$1');
}

/** The change being followed. */
export interface Target {
  /** The revision the reconciler should apply, as {@link revisionOf} writes it. */
  readonly revision: string;
  /** The Deployment's container and the image it should run. */
  readonly container: string;
  readonly image: string;
}

/** One look at the cluster. */
export interface Observation {
  readonly app: KubeObject | undefined;
  readonly deployment: KubeObject | undefined;
}

interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The Application's condition of `type`. */
export function conditionOf(app: KubeObject | undefined, type: string): Condition | undefined {
  const status = app?.status as { conditions?: Condition[] } | undefined;
  return status?.conditions?.find((condition) => condition.type === type);
}

function appStatus(app: KubeObject | undefined): Record<string, unknown> {
  return (app?.status ?? {}) as Record<string, unknown>;
}

/** The image of `container` in the Deployment's pod template. */
export function templateImage(
  deployment: KubeObject | undefined,
  container: string,
): string | undefined {
  const spec = deployment?.spec as
    | { template?: { spec?: { containers?: { name: string; image?: string }[] } } }
    | undefined;
  return spec?.template?.spec?.containers?.find((c) => c.name === container)?.image;
}

/** Whether the Deployment's controller has finished rolling out its current template. */
export function rolledOut(deployment: KubeObject | undefined): boolean {
  if (!deployment) return false;
  const spec = deployment.spec as { replicas?: number };
  const status = (deployment.status ?? {}) as Record<string, number | undefined>;
  const wanted = spec.replicas ?? 1;
  const generation = deployment.metadata.generation;
  return (
    (status.observedGeneration ?? 0) >= (typeof generation === 'number' ? generation : 0) &&
    status.updatedReplicas === wanted &&
    status.availableReplicas === wanted &&
    status.replicas === wanted
  );
}

/** Whether an Application is Ready and Healthy at whatever revision it last applied. */
export function appReady(app: KubeObject | undefined): boolean {
  const health = appStatus(app).health as { status?: string } | undefined;
  return conditionOf(app, 'Ready')?.status === 'True' && health?.status === 'Healthy';
}

/** The milestones `observation` shows for `target` (pure). */
export function reached(observation: Observation, target: Target): Set<Milestone> {
  const { app, deployment } = observation;
  const status = appStatus(app);
  const applied = templateImage(deployment, target.container) === target.image;
  const done = new Set<Milestone>();
  if (status.lastAttemptedRevision === target.revision || applied) done.add('seen');
  if (applied) done.add('applied');
  if (applied && rolledOut(deployment)) done.add('rolledOut');
  if (status.lastAppliedRevision === target.revision && appReady(app)) done.add('ready');
  return done;
}

/** A one-line account of an Application for the status line (pure). */
export function describeApp(name: string, app: KubeObject | undefined): string {
  if (!app) return `${name}: not created`;
  const ready = conditionOf(app, 'Ready');
  const revision = shortRevision(String(appStatus(app).lastAppliedRevision ?? ''));
  if (!ready) return `${name}: waiting for the reconciler`;
  if (appReady(app)) return `${name}: Ready at ${revision}`;
  return `${name}: ${ready.reason ?? ready.status}${ready.message ? ` (${ready.message})` : ''}`;
}

/** Options of the polling loops. */
export interface Follow {
  readonly onProgress: (text: string) => void;
  readonly signal?: AbortSignal;
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** How the status line names the Application; `application` when absent. */
  readonly appName?: string;
}

/**
 * Polls `observe` until every milestone holds; returns when each was first seen (a milestone
 * seen only together with a later one gets the later one's time).
 */
export async function followChange(
  observe: () => Promise<Observation>,
  target: Target,
  follow: Follow,
): Promise<Record<Milestone, number>> {
  const seenAt: Partial<Record<Milestone, number>> = {};
  const deadline = Date.now() + follow.timeoutMs;
  for (;;) {
    follow.signal?.throwIfAborted();
    const observation = await observe();
    const now = Date.now();
    const done = reached(observation, target);
    for (const milestone of done) seenAt[milestone] ??= now;
    const next = milestones.find((milestone) => !done.has(milestone));
    if (next === undefined) return fillEarlier(seenAt);
    follow.onProgress(
      `waiting until ${milestoneText[next]} · ${describeApp(follow.appName ?? 'application', observation.app)}`,
    );
    if (now > deadline) {
      throw new StepError(
        'converge',
        target.revision,
        `timed out waiting until ${milestoneText[next]}`,
      );
    }
    await sleep(follow.intervalMs ?? 200);
  }
}

function fillEarlier(seenAt: Partial<Record<Milestone, number>>): Record<Milestone, number> {
  const filled = {} as Record<Milestone, number>;
  let later = Number.POSITIVE_INFINITY;
  for (const milestone of [...milestones].reverse()) {
    later = Math.min(later, seenAt[milestone] ?? later);
    filled[milestone] = later;
  }
  return filled;
}

/** Polls until every named Application is Ready and Healthy. */
export async function waitUntilReady(
  observe: () => Promise<ReadonlyMap<string, KubeObject | undefined>>,
  follow: Follow,
): Promise<ReadonlyMap<string, KubeObject | undefined>> {
  const deadline = Date.now() + follow.timeoutMs;
  for (;;) {
    follow.signal?.throwIfAborted();
    const apps = await observe();
    const text = [...apps].map(([name, app]) => describeApp(name, app)).join(' · ');
    if ([...apps.values()].every(appReady)) return apps;
    follow.onProgress(text);
    if (Date.now() > deadline)
      throw new StepError('wait', 'Applications', `not Ready in time: ${text}`);
    await sleep(follow.intervalMs ?? 250);
  }
}
