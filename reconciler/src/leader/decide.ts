/**
 * The election's decisions, without any I/O: given what was last seen of the Lease, the local
 * time and this candidate's state, what to do next.
 *
 * Expiry is judged by the local clock, never by the `renewTime` written in the Lease (another
 * machine's clock): a standby records when it first saw the Lease's current version and waits
 * `leaseDurationSeconds` from then, as client-go does (`observedTime`). The holder measures its
 * own renew deadline from the start of its last successful write, which is never later than
 * the moment any standby can have seen that write, so the holder always stops first.
 */
import {
  type LeaderConfig,
  type LeaseSpec,
  leaseSeconds,
  microTime,
  type StoredLease,
} from './lease.ts';

/** The Lease as last seen, and when (local time) its current version was first seen. */
export interface Observed {
  lease: StoredLease;
  observedAt: number;
}

/** This candidate. */
export interface Candidate {
  identity: string;
  /** Start of the last successful acquire or renew; absent while not leading. */
  renewedAt?: number;
}

/** What the election does next. */
export const leaderActions = ['acquire', 'renew', 'wait', 'lost'] as const;
export type LeaderAction = (typeof leaderActions)[number];

/** A decision; `acquire` and `renew` carry the spec to write and the Lease it replaces. */
export type Decision =
  | { action: 'acquire'; spec: LeaseSpec; previous: StoredLease | undefined }
  | { action: 'renew'; spec: LeaseSpec; previous: StoredLease | undefined }
  | { action: 'wait'; holder: string; expiresAt: number }
  | { action: 'lost'; reason: string };

/**
 * Updates what was seen with a fresh read: the observation time moves only when the Lease
 * changed (a new resourceVersion) or appeared.
 */
export function observe(
  previous: Observed | undefined,
  lease: StoredLease | undefined,
  now: number,
): Observed | undefined {
  if (lease === undefined) return undefined;
  if (previous && previous.lease.resourceVersion === lease.resourceVersion) {
    return { lease, observedAt: previous.observedAt };
  }
  return { lease, observedAt: now };
}

/** The holder named by a Lease; `''` when nobody holds it. */
export function holderOf(observed: Observed | undefined): string {
  return observed?.lease.spec.holderIdentity ?? '';
}

/** The local time at which the leader must have stopped, absent a renewal. */
export function renewDeadlineAt(renewedAt: number, config: LeaderConfig): number {
  return renewedAt + config.renewDeadlineMs;
}

/** Decides the next step of the election. */
export function decide(
  observed: Observed | undefined,
  now: number,
  candidate: Candidate,
  config: LeaderConfig,
): Decision {
  const leading = candidate.renewedAt !== undefined;
  if (leading && now >= renewDeadlineAt(candidate.renewedAt ?? now, config)) {
    return { action: 'lost', reason: `not renewed within ${config.renewDeadlineMs} ms` };
  }
  const holder = holderOf(observed);
  const current = observed?.lease;
  if (leading && current && holder !== candidate.identity) {
    return { action: 'lost', reason: `the lease is now held by ${JSON.stringify(holder)}` };
  }
  if (current && holder === candidate.identity) {
    const spec = heldSpec(current.spec, candidate.identity, now, config, leading);
    return { action: leading ? 'renew' : 'acquire', spec, previous: current };
  }
  if (!current) {
    return {
      action: 'acquire',
      spec: takenSpec(undefined, candidate.identity, now, config),
      previous: undefined,
    };
  }
  const expiresAt = (observed?.observedAt ?? now) + (current.spec.leaseDurationSeconds ?? 0) * 1000;
  if (holder !== '' && now < expiresAt) return { action: 'wait', holder, expiresAt };
  return {
    action: 'acquire',
    spec: takenSpec(current.spec, candidate.identity, now, config),
    previous: current,
  };
}

/** The spec with which a holder gives the Lease up: no holder, a one-second duration. */
export function releasedSpec(spec: LeaseSpec, now: number): LeaseSpec {
  return {
    holderIdentity: '',
    leaseDurationSeconds: 1,
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}

/** Taking the Lease over from nobody, or from an expired or released holder. */
function takenSpec(
  spec: LeaseSpec | undefined,
  identity: string,
  now: number,
  config: LeaderConfig,
): LeaseSpec {
  return {
    holderIdentity: identity,
    leaseDurationSeconds: leaseSeconds(config),
    acquireTime: microTime(now),
    renewTime: microTime(now),
    leaseTransitions: spec === undefined ? 0 : (spec.leaseTransitions ?? 0) + 1,
  };
}

/** Renewing a Lease this candidate holds (or held before a restart with the same identity). */
function heldSpec(
  spec: LeaseSpec,
  identity: string,
  now: number,
  config: LeaderConfig,
  leading: boolean,
): LeaseSpec {
  return {
    holderIdentity: identity,
    leaseDurationSeconds: leaseSeconds(config),
    acquireTime: leading && spec.acquireTime ? spec.acquireTime : microTime(now),
    renewTime: microTime(now),
    leaseTransitions: spec.leaseTransitions ?? 0,
  };
}
