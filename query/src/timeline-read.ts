/**
 * Reads what {@link timelinesOf} needs and what the trace shows beside it: the Applications
 * (one LIST) and the live workloads of their inventories (one GET each, as `readTrace`). With
 * an impersonating client, a user sees the timelines of the Applications they may list.
 */
import type { ApplicationsApi } from './kube.ts';
import type { ObjectsApi } from './objects.ts';
import { type Timeline, timelinesOf } from './timeline.ts';
import { type TraceTarget, traceTarget } from './trace.ts';
import { readApplications, readWorkloads, type TraceResult } from './trace-read.ts';

/** The trace's hits and workloads not readable, and the timelines of the same target. */
export interface TimelineResult extends TraceResult {
  timelines: Timeline[];
}

/** The timelines of `target` over the Applications of `namespace` (all when undefined). */
export async function readTimeline(
  apps: ApplicationsApi,
  objects: ObjectsApi,
  namespace: string | undefined,
  target: TraceTarget,
  cluster: string,
): Promise<TimelineResult> {
  const list = await readApplications(apps, namespace);
  const { live, denied } = await readWorkloads(objects, list);
  const hits = traceTarget(target, list, live, cluster);
  return { hits, denied, timelines: timelinesOf(target, list, hits, cluster) };
}
