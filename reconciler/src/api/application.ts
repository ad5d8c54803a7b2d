/**
 * The `Application` resource as the reconciler reads and writes it: metadata, the raw spec
 * (parsed with the shared schema at the edge) and the status this reconciler owns.
 */
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  type ApplicationSpec,
  parseApplicationSpec,
} from '@kustodian/shared/config/application';
import type { KubeObject } from '../kube/object.ts';
import type { Condition } from '../status/conditions.ts';

export { APPLICATION_API_VERSION, APPLICATION_KIND };

/** The annotation that asks for a reconcile now (its value changes each time: a timestamp). */
export const requestedAtAnnotation = 'kustodian.dev/requested-at';

import type { InventoryEntry } from '../inventory/inventory.ts';

export type { InventoryEntry };

/** One past sync, newest first in `status.history`. */
export interface SyncRecord {
  revision: string;
  startedAt: string;
  finishedAt: string;
  result: 'Succeeded' | 'Failed';
  reason?: string;
  /** The commit of the app repository that caused this change, when its trailers said so. */
  sourceCommit?: string;
}

/** The health summary in status. */
export interface HealthStatus {
  status: 'Healthy' | 'Progressing' | 'Degraded' | 'NotChecked';
  message: string;
  counts: Record<string, number>;
}

/** What the reconciler writes to `status`. */
export interface ApplicationStatus {
  observedGeneration?: number;
  conditions?: Condition[];
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  /** The generation whose spec `lastAppliedRevision` was applied with. */
  lastAppliedGeneration?: number;
  /** Trailers of the applied commit that trace it back to its source (see the Action). */
  lastAppliedSource?: { repository?: string; commit?: string; workflowRun?: string };
  lastHandledRequestedAt?: string;
  inventory?: { entries: InventoryEntry[] };
  health?: HealthStatus;
  history?: SyncRecord[];
}

/** How many syncs `status.history` keeps. */
export const historyLimit = 10;

/** An Application object. */
export interface Application extends KubeObject {
  spec?: unknown;
  status?: ApplicationStatus;
}

/** `namespace/name`, the key of an Application in queues and logs. */
export function keyOf(app: { metadata: { namespace?: string | undefined; name: string } }): string {
  return `${app.metadata.namespace ?? 'default'}/${app.metadata.name}`;
}

/** The parsed spec, or a `StepError` listing every problem. */
export function specOf(app: Application): ApplicationSpec {
  return parseApplicationSpec(app.spec ?? {}, `${APPLICATION_KIND}/${keyOf(app)}`);
}

/** `metadata.generation`, 0 when absent. */
export function generationOf(app: Application): number {
  const generation = app.metadata.generation;
  return typeof generation === 'number' ? generation : 0;
}
