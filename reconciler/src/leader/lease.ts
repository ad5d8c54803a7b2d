/**
 * The Lease that decides which replica reconciles, the timings of the election, and the small
 * {@link LeaseClient} boundary through which the election reads and writes it.
 *
 * The timings follow client-go's `leaderelection` package: the holder renews every
 * `retryPeriod`; it gives up (and stops writing) when it has not renewed for `renewDeadline`;
 * a standby takes over when it has seen no change for `leaseDuration`. Because
 * `renewDeadline < leaseDuration`, the old leader has stopped before anyone else starts.
 */

/** `coordination.k8s.io/v1` Lease `spec`, as the API server stores it. */
export interface LeaseSpec {
  /** Who holds the lease; empty or absent when nobody does. */
  holderIdentity?: string;
  /** How long others must wait, after seeing the last change, before taking over. */
  leaseDurationSeconds?: number;
  /** RFC 3339 time with microseconds (`MicroTime`). */
  acquireTime?: string;
  /** RFC 3339 time with microseconds (`MicroTime`). */
  renewTime?: string;
  /** How many times the lease changed hands. */
  leaseTransitions?: number;
}

/** A Lease as read from (or written to) the API server. */
export interface StoredLease {
  spec: LeaseSpec;
  /** The precondition of the next update. */
  resourceVersion: string;
  /** The object's metadata as stored, sent back unchanged on update (labels, annotations kept). */
  metadata: Record<string, unknown>;
}

/** The result of a write: stored, or somebody else wrote first (409 Conflict). */
export type LeaseWrite = { outcome: 'written'; lease: StoredLease } | { outcome: 'conflict' };

/**
 * Reads and writes one Lease. `create` and `update` are optimistic: a create of an existing
 * Lease, or an update whose `previous.resourceVersion` is no longer current, returns
 * `conflict` (the other candidate won the race). Other failures throw.
 */
export interface LeaseClient {
  /** The Lease, or `undefined` when it does not exist. */
  get(signal?: AbortSignal): Promise<StoredLease | undefined>;
  /** Creates the Lease with `spec`. */
  create(spec: LeaseSpec, signal?: AbortSignal): Promise<LeaseWrite>;
  /** Replaces the Lease's spec, if it is still at `previous.resourceVersion`. */
  update(previous: StoredLease, spec: LeaseSpec, signal?: AbortSignal): Promise<LeaseWrite>;
}

/** Timings of the election, in milliseconds. */
export interface LeaderConfig {
  /** How long a standby waits after the last change it saw before taking over. */
  leaseDurationMs: number;
  /** How long the leader keeps trying to renew before it gives up. */
  renewDeadlineMs: number;
  /** Time between attempts (to acquire, and to renew). */
  retryPeriodMs: number;
}

/** client-go's defaults: 15 s, 10 s, 2 s. */
export const defaultLeaderConfig: LeaderConfig = {
  leaseDurationMs: 15_000,
  renewDeadlineMs: 10_000,
  retryPeriodMs: 2_000,
};

/** How far an acquire attempt's wait may stretch beyond `retryPeriod` (client-go's factor). */
export const jitterFactor = 1.2;

/**
 * Fills in defaults and checks the rules client-go enforces: `leaseDuration > renewDeadline >
 * 1.2 × retryPeriod`, and a lease of at least one whole second. Throws an `Error` otherwise.
 */
export function leaderConfig(partial: Partial<LeaderConfig> = {}): LeaderConfig {
  const config = { ...defaultLeaderConfig, ...partial };
  const { leaseDurationMs, renewDeadlineMs, retryPeriodMs } = config;
  if (!(leaseDurationMs >= 1000)) {
    throw new Error(`leader election: leaseDuration ${leaseDurationMs} ms is under 1 s`);
  }
  if (!(leaseDurationMs > renewDeadlineMs)) {
    throw new Error('leader election: leaseDuration must be greater than renewDeadline');
  }
  if (!(retryPeriodMs > 0) || !(renewDeadlineMs > jitterFactor * retryPeriodMs)) {
    throw new Error(
      `leader election: renewDeadline must be greater than ${jitterFactor} × retryPeriod`,
    );
  }
  return config;
}

/** The `leaseDurationSeconds` written for a configuration: whole seconds, rounded up. */
export function leaseSeconds(config: LeaderConfig): number {
  return Math.ceil(config.leaseDurationMs / 1000);
}

/** A Kubernetes `MicroTime`: RFC 3339 in UTC with six fractional digits. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}
