/**
 * Trace an image or a commit to where it runs: which Applications' workloads run the image (or
 * were applied from the config commit, or carry the app commit the Action's trailers name), in
 * which cluster, namespace and object, since when, from which bump commit and app commit, and
 * whether the workload is healthy. Pure: it reads Applications and their live workloads, so
 * the CLI and the dashboard compute the same answer (`readTrace` in `trace-read.ts` fetches).
 */
import { checkImageReference, type ImageReference } from '@kustodian/shared/images/reference';
import { assess } from '../../reconciler/src/health/assess.ts';
import { commitOf, type SyncRecord, summarize } from './applications.ts';
import { containersOf, type InventoryRef, inventoryRefs, isWorkloadKind } from './inventory.ts';
import type { RawApplication } from './kube.ts';
import type { LiveObject } from './objects.ts';

/** What a trace looks for: an image (a tag or digest optional) or a commit (a prefix). */
export type TraceTarget =
  | { kind: 'image'; text: string; reference: ImageReference }
  | { kind: 'commit'; text: string };

/** How a row matched the target. */
export const traceMatches = ['image', 'bump-commit', 'applied-commit', 'app-commit'] as const;
export type TraceMatch = (typeof traceMatches)[number];

/** One container of one workload that runs the target. */
export interface TraceHit {
  application: { namespace: string; name: string };
  /** The cluster of the kubeconfig context the Applications were read from. */
  cluster: string;
  object: { kind: string; namespace?: string; name: string };
  container: string;
  image: string;
  matched: TraceMatch;
  /** When the reconciler applied the bump commit (its history line); '' when not in history. */
  since: string;
  /** The config commit that brought the app commit: the newest applied one with trailers. */
  bumpCommit: string;
  /** The applied config commit (`lastAppliedRevision`'s commit). */
  appliedCommit: string;
  /** The app repository's commit and repository, from the bump commit's trailers. */
  appCommit: string;
  appRepository: string;
  workflowRun: string;
  /** The workload's kstatus (Current, InProgress, Failed, …) and whether that is Current. */
  health: string;
  healthMessage: string;
  healthy: boolean;
}

const commitText = /^[0-9a-f]{7,64}$/;

/** Parses the argument of `trace`: hex of 7 to 64 digits is a commit, else an image reference. */
export function parseTraceTarget(text: string): TraceTarget | { problem: string } {
  if (commitText.test(text)) return { kind: 'commit', text };
  const check = checkImageReference(text);
  if (!check.ok)
    return {
      problem: `${text} is neither a commit (7 to 64 hex digits) nor an image: ${check.problem}`,
    };
  return { kind: 'image', text, reference: check.reference };
}

/** The newest applied history line that carries an app commit, and the applied revision's trace. */
function bumpOf(app: RawApplication): {
  bump?: SyncRecord;
  source: { repository?: string; commit?: string; workflowRun?: string };
} {
  const status = (app.status ?? {}) as {
    history?: SyncRecord[];
    lastAppliedSource?: { repository?: string; commit?: string; workflowRun?: string };
  };
  const history = status.history ?? [];
  let at = history.findIndex((h) => h.result === 'Succeeded' && h.sourceCommit);
  // Later lines of the same revision (a re-apply after drift) do not move "since".
  while (at >= 0 && history[at + 1]?.revision === history[at]?.revision) at += 1;
  const bump = at >= 0 ? history[at] : undefined;
  return { ...(bump ? { bump } : {}), source: status.lastAppliedSource ?? {} };
}

/** Whether `image` (as a container names it) is the target image: same name, tag and digest if given. */
export function imageMatches(target: ImageReference, image: string): boolean {
  const check = checkImageReference(image);
  if (!check.ok) return false;
  const running = check.reference;
  if (normalName(running.name) !== normalName(target.name)) return false;
  if (
    target.tag !== undefined &&
    (running.tag ?? (running.digest ? undefined : 'latest')) !== target.tag
  )
    return false;
  return target.digest === undefined || running.digest === target.digest;
}

/** `nginx`, `library/nginx` and `docker.io/library/nginx` name one image (as the runtime pulls it). */
function normalName(name: string): string {
  const first = name.split('/')[0] ?? '';
  const hasHost =
    name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  const path = hasHost ? name : `docker.io/${name}`;
  return path.replace(
    /^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\/(?![^/]+\/)/,
    'docker.io/library/',
  );
}

/**
 * Every container of the Applications' live workloads that runs `target`, sorted by
 * Application, object and container. `live` maps an inventory id to its live object.
 */
export function traceTarget(
  target: TraceTarget,
  apps: readonly RawApplication[],
  live: ReadonlyMap<string, LiveObject>,
  cluster: string,
): TraceHit[] {
  const hits: TraceHit[] = [];
  for (const app of apps) {
    const summary = summarize(app);
    const { bump, source } = bumpOf(app);
    const appCommit = source.commit ?? bump?.sourceCommit ?? '';
    const bumpCommit = source.commit ? summary.commit : bump ? commitOf(bump.revision) : '';
    const matchedCommit =
      target.kind === 'commit'
        ? commitMatch(target.text, bumpCommit, summary.commit, appCommit)
        : undefined;
    if (target.kind === 'commit' && !matchedCommit) continue;
    for (const ref of inventoryRefs(app).filter((r) => isWorkloadKind(r.kind))) {
      const obj = live.get(ref.id);
      if (!obj) continue;
      const verdict = assess(obj as never);
      for (const container of containersOf(obj)) {
        if (target.kind === 'image' && !imageMatches(target.reference, container.image)) continue;
        hits.push({
          application: { namespace: summary.namespace, name: summary.name },
          cluster,
          object: objectOf(ref),
          container: container.name,
          image: container.image,
          matched: matchedCommit ?? 'image',
          since: bump?.finishedAt ?? '',
          bumpCommit,
          appliedCommit: summary.commit,
          appCommit,
          appRepository: source.repository ?? '',
          workflowRun: source.workflowRun ?? '',
          health: verdict.status,
          healthMessage: verdict.message,
          healthy: verdict.status === 'Current',
        });
      }
    }
  }
  return hits;
}

function objectOf(ref: InventoryRef): TraceHit['object'] {
  return { kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name };
}

/** Which commit `prefix` names: the bump commit first, then the applied one, then the app's. */
function commitMatch(
  prefix: string,
  bump: string,
  applied: string,
  app: string,
): TraceMatch | undefined {
  const named = (commit: string) => commit !== '' && commit.startsWith(prefix);
  if (named(bump)) return 'bump-commit';
  if (named(applied)) return 'applied-commit';
  return named(app) ? 'app-commit' : undefined;
}
