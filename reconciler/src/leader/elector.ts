/**
 * Leader election on a Lease, as client-go's `LeaderElector.Run` does it: try to acquire every
 * `retryPeriod` (with jitter) until this candidate holds the Lease; then start the work with a
 * signal, renew every `retryPeriod`, and abort the signal the moment leadership ends: when the
 * renewal has not succeeded for `renewDeadline` (before the Lease can expire for anyone else),
 * when another holder appears, or on shutdown. On shutdown the Lease is released (no holder,
 * one-second duration) once the work has stopped, so a standby takes over at once.
 */
import { messageOf } from '@kustodian/shared/errors';
import { type Clock, systemClock } from '../kube/clock.ts';
import type { Logger } from '../log.ts';
import {
  type Candidate,
  decide,
  holderOf,
  type Observed,
  observe,
  releasedSpec,
  renewDeadlineAt,
} from './decide.ts';
import { jitterFactor, type LeaderConfig, type LeaseClient, leaderConfig } from './lease.ts';

/** What the election calls. */
export interface LeaderCallbacks {
  /**
   * This candidate leads. Work must stop writing as soon as `signal` aborts; the returned
   * promise (if any) should settle then, as the Lease is released only after it has.
   */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  /** Leadership ended (lost, or given up on shutdown) and the work has settled. */
  onStoppedLeading(): void;
  /** Another holder was seen (or this one); for logs. */
  onNewLeader?(identity: string): void;
}

/** Options of {@link createElector}. */
export interface ElectorOptions {
  client: LeaseClient;
  /** Unique per replica: the pod name, plus a random suffix. */
  identity: string;
  config?: Partial<LeaderConfig>;
  clock?: Clock;
  logger?: Logger;
  /** Random number in [0, 1) for jitter; default `Math.random`. */
  random?: () => number;
  /** Give the Lease up on shutdown; default true. */
  releaseOnCancel?: boolean;
}

/** One candidate in the election. */
export interface Elector {
  /**
   * Campaigns until `signal` aborts or leadership, once won, ends; then returns. Call again to
   * stand for election again.
   */
  run(callbacks: LeaderCallbacks, signal: AbortSignal): Promise<void>;
  /** Whether this candidate currently leads (its work signal is not aborted). */
  isLeader(): boolean;
}

/** Outcome of one attempt to acquire or renew. */
type Attempt = 'leading' | 'waiting' | 'failed' | { lost: string };

/** Creates a candidate; throws when the timings break the election's rules. */
export function createElector(options: ElectorOptions): Elector {
  const config = leaderConfig(options.config);
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const log = options.logger?.child({ component: 'leader', identity: options.identity });
  const { client, identity } = options;
  let observed: Observed | undefined;
  let candidate: Candidate = { identity };
  let lastHolder = '';
  let work: AbortController | undefined;

  const attempt = async (signal: AbortSignal, callbacks: LeaderCallbacks): Promise<Attempt> => {
    const started = clock.now();
    try {
      observed = observe(observed, await client.get(signal), clock.now());
      const holder = holderOf(observed);
      if (holder !== lastHolder && holder !== '') callbacks.onNewLeader?.(holder);
      lastHolder = holder;
      const decision = decide(observed, clock.now(), candidate, config);
      if (decision.action === 'wait') return 'waiting';
      if (decision.action === 'lost') return { lost: decision.reason };
      const written = decision.previous
        ? await client.update(decision.previous, decision.spec, signal)
        : await client.create(decision.spec, signal);
      if (written.outcome === 'conflict') return 'failed';
      observed = { lease: written.lease, observedAt: clock.now() };
      candidate = { identity, renewedAt: started };
      return 'leading';
    } catch (thrown) {
      if (!signal.aborted) log?.warn('lease request failed', { error: messageOf(thrown) });
      return 'failed';
    }
  };

  const campaign = async (signal: AbortSignal, callbacks: LeaderCallbacks): Promise<boolean> => {
    while (!signal.aborted) {
      if ((await attempt(signal, callbacks)) === 'leading') return true;
      const wait = config.retryPeriodMs * (1 + random() * jitterFactor);
      if (!(await pause(clock, wait, signal))) return false;
    }
    return false;
  };

  const lead = async (stop: AbortSignal, callbacks: LeaderCallbacks): Promise<void> => {
    const controller = new AbortController();
    work = controller;
    const end = (reason: string): void => {
      if (!controller.signal.aborted) controller.abort(new Error(`leadership ended: ${reason}`));
    };
    const onStop = (): void => end('shutting down');
    stop.addEventListener('abort', onStop, { once: true });
    log?.info('started leading');
    const running = Promise.resolve()
      .then(() => callbacks.onStartedLeading(controller.signal))
      .catch((thrown: unknown) => log?.error('leader work failed', { error: messageOf(thrown) }));
    const watchdog = async (): Promise<void> => {
      for (;;) {
        const left = renewDeadlineAt(candidate.renewedAt ?? 0, config) - clock.now();
        if (left <= 0) return end(`not renewed within ${config.renewDeadlineMs} ms`);
        if (!(await pause(clock, left, controller.signal))) return;
      }
    };
    const renew = async (): Promise<void> => {
      while (await pause(clock, config.retryPeriodMs, controller.signal)) {
        const result = await attempt(controller.signal, callbacks);
        if (typeof result === 'object') return end(result.lost);
      }
    };
    await Promise.all([watchdog(), renew()]);
    stop.removeEventListener('abort', onStop);
    const reason = messageOf(controller.signal.reason);
    if (stop.aborted) log?.info('stopped leading', { reason });
    else log?.warn('stopped leading', { reason });
    await running;
    if (stop.aborted && (options.releaseOnCancel ?? true)) await release();
    candidate = { identity };
    callbacks.onStoppedLeading();
  };

  const release = async (): Promise<void> => {
    const current = observed?.lease;
    if (!current || holderOf(observed) !== identity) return;
    try {
      const spec = releasedSpec(current.spec, clock.now());
      const signal = AbortSignal.timeout(config.renewDeadlineMs);
      const written = await client.update(current, spec, signal);
      if (written.outcome === 'written')
        observed = { lease: written.lease, observedAt: clock.now() };
      log?.info('released the lease', { outcome: written.outcome });
    } catch (thrown) {
      log?.warn('could not release the lease', { error: messageOf(thrown) });
    } finally {
      candidate = { identity };
    }
  };

  return {
    run: async (callbacks, signal) => {
      if (!(await campaign(signal, callbacks))) return;
      // Won just as shutdown began: hand the Lease straight back without starting any work.
      if (signal.aborted) return await release();
      await lead(signal, callbacks);
    },
    isLeader: () => work !== undefined && !work.signal.aborted,
  };
}

/** Sleeps; resolves `false` instead when `signal` aborts. */
async function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await clock.sleep(ms, signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}
