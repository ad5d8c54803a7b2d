/**
 * The health vocabulary (kstatus's): what an object's status says about its rollout. Each
 * assessment is a status from a closed set, a short machine reason and a human message.
 */

/** Health statuses, as kstatus names them. */
export const healthStatuses = [
  'Current',
  'InProgress',
  'Failed',
  'Terminating',
  'NotFound',
  'Unknown',
] as const;
export type HealthStatus = (typeof healthStatuses)[number];

/**
 * How bad each status is, for summaries: the worst status of a set is the set's status. A
 * failure outranks a missing object, which outranks one we cannot judge, one being deleted, one
 * still rolling out, and finally one that is done.
 */
export const healthSeverity: Readonly<Record<HealthStatus, number>> = Object.freeze({
  Current: 0,
  InProgress: 1,
  Terminating: 2,
  Unknown: 3,
  NotFound: 4,
  Failed: 5,
});

/** The health of one object. */
export interface HealthResult {
  status: HealthStatus;
  /** A short CamelCase reason (`LessReady`, `ProgressDeadlineExceeded`, ...). */
  reason: string;
  /** What a person reads: `Ready: 1/3`. */
  message: string;
}

/** Builds a {@link HealthResult}. */
export function health(status: HealthStatus, reason: string, message: string): HealthResult {
  return { status, reason, message };
}

/** The worse of two statuses by {@link healthSeverity}. */
export function worse(a: HealthStatus, b: HealthStatus): HealthStatus {
  return healthSeverity[b] > healthSeverity[a] ? b : a;
}
