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
  /** The committer time of `revision`'s commit, RFC 3339 in UTC: when the config changed. */
  revisionTime?: string;
  /** The commit of the app repository that caused this change, when its trailers said so. */
  sourceCommit?: string;
  /** When that app commit was made, when its trailers said so (`Kustodian-Source-Time`). */
  sourceTime?: string;
}

/** Where an applied commit came from, as its trailers say (see the Action). */
export interface SourceRecord {
  repository?: string;
  commit?: string;
  /** When the app commit was made, RFC 3339 in UTC. */
  time?: string;
  workflowRun?: string;
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
  lastAppliedSource?: SourceRecord;
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
