import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decide, type Observed, observe, releasedSpec } from '../../src/leader/decide.ts';
import {
  defaultLeaderConfig,
  leaderConfig,
  microTime,
  type StoredLease,
} from '../../src/leader/lease.ts';

const config = defaultLeaderConfig;
const t0 = Date.UTC(2026, 4, 1, 12, 0, 0);

function lease(holder: string, rv: string, extra: Partial<StoredLease['spec']> = {}): StoredLease {
  return {
    spec: { holderIdentity: holder, leaseDurationSeconds: 15, leaseTransitions: 2, ...extra },
    resourceVersion: rv,
    metadata: { name: 'kustodian-leader' },
  };
}

describe('leader election decisions', () => {
  it('creates the lease when there is none', () => {
    const decision = decide(undefined, t0, { identity: 'a' }, config);
    assert.deepEqual(decision, {
      action: 'acquire',
      previous: undefined,
      spec: {
        holderIdentity: 'a',
        leaseDurationSeconds: 15,
        acquireTime: microTime(t0),
        renewTime: microTime(t0),
        leaseTransitions: 0,
      },
    });
  });

  it('waits while another holder was seen less than leaseDuration ago', () => {
    const observed: Observed = { lease: lease('b', '7'), observedAt: t0 };
    assert.deepEqual(decide(observed, t0 + 14_999, { identity: 'a' }, config), {
      action: 'wait',
      holder: 'b',
      expiresAt: t0 + 15_000,
    });
  });

  it('takes over an expired lease and counts the transition', () => {
    const observed: Observed = { lease: lease('b', '7'), observedAt: t0 };
    const decision = decide(observed, t0 + 15_000, { identity: 'a' }, config);
    assert.equal(decision.action, 'acquire');
    assert.ok(decision.action === 'acquire');
    assert.equal(decision.previous, observed.lease);
    assert.equal(decision.spec.holderIdentity, 'a');
    assert.equal(decision.spec.leaseTransitions, 3);
  });

  it('judges expiry by the local time of observation, not the renewTime written by another clock', () => {
    const skewed = lease('b', '8', { renewTime: microTime(t0 - 3_600_000) });
    const observed: Observed = { lease: skewed, observedAt: t0 };
    assert.equal(decide(observed, t0 + 1000, { identity: 'a' }, config).action, 'wait');
  });

  it('takes a released lease at once', () => {
    const observed: Observed = {
      lease: lease('', '9', { leaseDurationSeconds: 1 }),
      observedAt: t0,
    };
    assert.equal(decide(observed, t0, { identity: 'a' }, config).action, 'acquire');
  });

  it('honours the duration the holder wrote, such as one second on release', () => {
    const observed: Observed = {
      lease: lease('b', '9', { leaseDurationSeconds: 1 }),
      observedAt: t0,
    };
    assert.equal(decide(observed, t0 + 999, { identity: 'a' }, config).action, 'wait');
    assert.equal(decide(observed, t0 + 1000, { identity: 'a' }, config).action, 'acquire');
  });

  it('renews its own lease, keeping acquireTime and the transition count', () => {
    const own = lease('a', '10', { acquireTime: microTime(t0 - 60_000) });
    const observed: Observed = { lease: own, observedAt: t0 };
    const decision = decide(observed, t0 + 2000, { identity: 'a', renewedAt: t0 }, config);
    assert.ok(decision.action === 'renew');
    assert.equal(decision.spec.acquireTime, microTime(t0 - 60_000));
    assert.equal(decision.spec.renewTime, microTime(t0 + 2000));
    assert.equal(decision.spec.leaseTransitions, 2);
    assert.equal(decision.previous, own);
  });

  it('gives up when it has not renewed within renewDeadline, before the lease can expire', () => {
    const observed: Observed = { lease: lease('a', '10'), observedAt: t0 };
    const candidate = { identity: 'a', renewedAt: t0 };
    assert.equal(decide(observed, t0 + 9_999, candidate, config).action, 'renew');
    assert.deepEqual(decide(observed, t0 + 10_000, candidate, config), {
      action: 'lost',
      reason: 'not renewed within 10000 ms',
    });
    assert.ok(config.renewDeadlineMs < config.leaseDurationMs);
  });

  it('gives up when another candidate holds the lease it thought it led', () => {
    const observed: Observed = { lease: lease('b', '11'), observedAt: t0 };
    const decision = decide(observed, t0 + 1, { identity: 'a', renewedAt: t0 }, config);
    assert.deepEqual(decision, { action: 'lost', reason: 'the lease is now held by "b"' });
  });

  it('reclaims a lease still naming it after a restart, as a new acquisition', () => {
    const observed: Observed = { lease: lease('a', '12'), observedAt: t0 };
    const decision = decide(observed, t0 + 1, { identity: 'a' }, config);
    assert.ok(decision.action === 'acquire');
    assert.equal(decision.spec.acquireTime, microTime(t0 + 1));
  });
});

describe('lease observation', () => {
  it('keeps the first observation time while the resourceVersion stays the same', () => {
    const first = observe(undefined, lease('b', '1'), t0);
    assert.equal(first?.observedAt, t0);
    assert.equal(observe(first, lease('b', '1'), t0 + 5000)?.observedAt, t0);
    assert.equal(observe(first, lease('b', '2'), t0 + 5000)?.observedAt, t0 + 5000);
    assert.equal(observe(first, undefined, t0 + 5000), undefined);
  });
});

describe('lease helpers', () => {
  it('releases with no holder and a one-second duration', () => {
    assert.deepEqual(releasedSpec({ holderIdentity: 'a', leaseTransitions: 4 }, t0), {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTime: microTime(t0),
      renewTime: microTime(t0),
      leaseTransitions: 4,
    });
  });

  it('writes MicroTime with six fractional digits', () => {
    assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 67)), '2026-01-02T03:04:05.067000Z');
  });

  it('refuses timings that would let two leaders overlap', () => {
    assert.deepEqual(leaderConfig(), config);
    assert.throws(() => leaderConfig({ renewDeadlineMs: 15_000 }), /greater than renewDeadline/);
    assert.throws(() => leaderConfig({ retryPeriodMs: 9_000 }), /1.2 × retryPeriod/);
    assert.throws(
      () => leaderConfig({ leaseDurationMs: 500, renewDeadlineMs: 400, retryPeriodMs: 100 }),
      /under 1 s/,
    );
  });
});
