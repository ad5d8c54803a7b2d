import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { type ManualClock, manualClock } from '../../src/kube/clock.ts';
import { createElector, type Elector } from '../../src/leader/elector.ts';
import { type MemoryLease, memoryLease } from './memory-leases.ts';

const config = { leaseDurationMs: 15_000, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 };

/** Moves the clock in small steps, letting promises settle after each. */
async function advance(clock: ManualClock, ms: number, step = 100): Promise<void> {
  await settle();
  for (let moved = 0; moved < ms; moved += step) {
    clock.advance(Math.min(step, ms - moved));
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

/** A candidate with records of when its work started and stopped. */
interface Run {
  elector: Elector;
  stop: AbortController;
  startedAt?: number;
  abortedAt?: number;
  stoppedAt?: number;
  /** Holders reported through `onNewLeader`. */
  leaders: string[];
  done: Promise<void>;
}

function start(lease: MemoryLease, clock: ManualClock, identity: string, cut?: () => boolean): Run {
  const elector = createElector({
    client: lease.client(cut),
    identity,
    config,
    clock,
    random: () => 0,
  });
  const stop = new AbortController();
  const run: Run = { elector, stop, leaders: [], done: Promise.resolve() };
  run.done = elector.run(
    {
      onStartedLeading: (signal) => {
        run.startedAt = clock.now();
        signal.addEventListener('abort', () => {
          run.abortedAt = clock.now();
        });
      },
      onStoppedLeading: () => {
        run.stoppedAt = clock.now();
      },
      onNewLeader: (holder) => run.leaders.push(holder),
    },
    stop.signal,
  );
  return run;
}

describe('leader elector with a manual clock', () => {
  it('acquires a free lease at once and renews it every retryPeriod', async () => {
    const clock = manualClock(1_000_000);
    const lease = memoryLease();
    const a = start(lease, clock, 'a');
    await advance(clock, 100);
    assert.equal(a.startedAt, 1_000_000);
    assert.equal(a.elector.isLeader(), true);
    await advance(clock, 6_000);
    assert.equal(lease.writes.length, 4);
    assert.ok(lease.writes.every((spec) => spec.holderIdentity === 'a'));
    a.stop.abort();
    await a.done;
  });

  it('lets one of two candidates lead while the other waits', async () => {
    const clock = manualClock(0);
    const lease = memoryLease();
    const a = start(lease, clock, 'a');
    await advance(clock, 100);
    const b = start(lease, clock, 'b');
    await advance(clock, 30_000);
    assert.equal(a.elector.isLeader(), true);
    assert.equal(b.elector.isLeader(), false);
    assert.equal(b.startedAt, undefined);
    assert.deepEqual(b.leaders, ['a']);
    a.stop.abort();
    b.stop.abort();
    await Promise.all([a.done, b.done]);
  });

  it('stops the cut-off leader at renewDeadline, before the standby takes over after leaseDuration', async () => {
    const clock = manualClock(0);
    const lease = memoryLease();
    let cut = false;
    const a = start(lease, clock, 'a', () => cut);
    await advance(clock, 100);
    const b = start(lease, clock, 'b');
    await advance(clock, 4_000);
    const lastRenew = lease.writes.length;
    cut = true;
    const cutAt = clock.now();
    await advance(clock, 30_000);
    assert.equal(lease.writes[lastRenew - 1]?.holderIdentity, 'a');
    assert.ok(a.abortedAt !== undefined && b.startedAt !== undefined);
    assert.ok(
      a.abortedAt < b.startedAt,
      `old leader stopped at ${a.abortedAt}, new one started at ${b.startedAt}`,
    );
    assert.ok(
      a.abortedAt - cutAt <= config.renewDeadlineMs,
      'the leader held on past renewDeadline',
    );
    assert.ok(b.startedAt - cutAt >= config.leaseDurationMs - config.retryPeriodMs);
    assert.equal(a.stoppedAt, a.abortedAt);
    assert.equal(a.elector.isLeader(), false);
    assert.equal(b.elector.isLeader(), true);
    await a.done;
    b.stop.abort();
    await b.done;
  });

  it('releases the lease on shutdown so the standby takes over at its next retry', async () => {
    const clock = manualClock(0);
    const lease = memoryLease();
    const a = start(lease, clock, 'a');
    await advance(clock, 100);
    const b = start(lease, clock, 'b');
    await advance(clock, 5_000);
    a.stop.abort();
    const stoppedAt = clock.now();
    await a.done;
    assert.equal(lease.current()?.spec.holderIdentity, '');
    assert.equal(lease.current()?.spec.leaseDurationSeconds, 1);
    await advance(clock, 3_000);
    assert.ok(b.startedAt !== undefined && b.startedAt - stoppedAt <= config.retryPeriodMs + 100);
    assert.equal(lease.current()?.spec.holderIdentity, 'b');
    assert.equal(lease.current()?.spec.leaseTransitions, 1);
    assert.deepEqual(b.leaders, ['a', 'b']);
    b.stop.abort();
    await b.done;
  });

  it('waits for the work to settle before releasing the lease', async () => {
    const clock = manualClock(0);
    const lease = memoryLease();
    const order: string[] = [];
    const stop = new AbortController();
    const elector = createElector({ client: lease.client(), identity: 'a', config, clock });
    const done = elector.run(
      {
        onStartedLeading: async (signal) => {
          await new Promise((resolve) => signal.addEventListener('abort', resolve));
          await tick();
          order.push(`work ended, holder ${lease.current()?.spec.holderIdentity}`);
        },
        onStoppedLeading: () =>
          order.push(`stopped, holder ${lease.current()?.spec.holderIdentity}`),
      },
      stop.signal,
    );
    await advance(clock, 100);
    stop.abort();
    await done;
    assert.deepEqual(order, ['work ended, holder a', 'stopped, holder ']);
  });

  it('does not start work when shutdown comes before the lease is won', async () => {
    const clock = manualClock(0);
    const lease = memoryLease();
    const stop = new AbortController();
    stop.abort();
    let started = false;
    await createElector({ client: lease.client(), identity: 'a', config, clock }).run(
      {
        onStartedLeading: () => {
          started = true;
        },
        onStoppedLeading: () => {},
      },
      stop.signal,
    );
    assert.equal(started, false);
    assert.equal(lease.current(), undefined);
  });
});
