import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { localEnv } from '../../../test/env/for-tests.ts';
import { createTransport } from '../../src/kube/http.ts';
import { createElector, type Elector } from '../../src/leader/elector.ts';
import { candidateIdentity, createLeaseClient } from '../../src/leader/kube-lease.ts';
import type { LeaderConfig, LeaseClient } from '../../src/leader/lease.ts';

const env = localEnv();

/** A real client that fails while `cut` is set, as a partitioned or frozen replica would. */
function partitionable(
  client: LeaseClient,
  state: { cut: boolean; lastWrite?: number },
): LeaseClient {
  const guard = (): void => {
    if (state.cut) throw new Error('network unreachable');
  };
  return {
    get: async (signal) => {
      guard();
      return client.get(signal);
    },
    create: async (spec, signal) => {
      guard();
      return client.create(spec, signal);
    },
    update: async (previous, spec, signal) => {
      guard();
      const started = Date.now();
      const written = await client.update(previous, spec, signal);
      if (written.outcome === 'written') state.lastWrite = started;
      return written;
    },
  };
}

interface Candidate {
  elector: Elector;
  stop: AbortController;
  startedAt?: number;
  abortedAt?: number;
  done: Promise<void>;
}

function candidate(
  client: LeaseClient,
  identity: string,
  config: LeaderConfig,
  releaseOnCancel = true,
): Candidate {
  const elector = createElector({ client, identity, config, releaseOnCancel, random: () => 0 });
  const stop = new AbortController();
  const entry: Candidate = { elector, stop, done: Promise.resolve() };
  entry.done = elector.run(
    {
      onStartedLeading: (signal) => {
        entry.startedAt = Date.now();
        signal.addEventListener('abort', () => {
          entry.abortedAt = Date.now();
        });
      },
      onStoppedLeading: () => {},
    },
    stop.signal,
  );
  return entry;
}

async function until(what: string, condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(20);
  }
}

async function leaseClient(name: string): Promise<{ client: LeaseClient; namespace: string }> {
  const namespace = await env().createNamespace('leader');
  return { client: createLeaseClient(createTransport(env().kc), { namespace, name }), namespace };
}

const fast: LeaderConfig = { leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 250 };

describe('leader election against the API server', () => {
  it('creates, reads and updates a Lease with resourceVersion preconditions', async () => {
    const { client } = await leaseClient('lease-client');
    assert.equal(await client.get(), undefined);
    const created = await client.create({ holderIdentity: 'a', leaseDurationSeconds: 15 });
    assert.ok(created.outcome === 'written');
    assert.equal(created.lease.spec.holderIdentity, 'a');
    assert.deepEqual(await client.create({ holderIdentity: 'b' }), { outcome: 'conflict' });
    const renewed = await client.update(created.lease, {
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      renewTime: '2026-01-01T00:00:00.000000Z',
    });
    assert.ok(renewed.outcome === 'written');
    assert.notEqual(renewed.lease.resourceVersion, created.lease.resourceVersion);
    assert.deepEqual(await client.update(created.lease, { holderIdentity: 'b' }), {
      outcome: 'conflict',
    });
    assert.equal((await client.get())?.spec.renewTime, '2026-01-01T00:00:00.000000Z');
  });

  it('makes a different identity for each start of the same pod', () => {
    const first = candidateIdentity('kustodian-reconciler-7d9f-abcde');
    assert.match(first, /^kustodian-reconciler-7d9f-abcde_[0-9a-f-]{36}$/);
    assert.notEqual(candidateIdentity('kustodian-reconciler-7d9f-abcde'), first);
  });

  it('lets exactly one of two candidates lead', async () => {
    const { client } = await leaseClient('one-leader');
    const a = candidate(client, 'replica-a', fast);
    const b = candidate(client, 'replica-b', fast);
    try {
      await until('someone leads', () => a.elector.isLeader() || b.elector.isLeader());
      await sleep(2 * fast.leaseDurationMs);
      assert.notEqual(a.elector.isLeader(), b.elector.isLeader());
      const leader = a.elector.isLeader() ? 'replica-a' : 'replica-b';
      assert.equal((await client.get())?.spec.holderIdentity, leader);
      assert.equal((await client.get())?.spec.leaseTransitions, 0);
    } finally {
      a.stop.abort();
      b.stop.abort();
      await Promise.all([a.done, b.done]);
    }
  });

  it('fails over when the leader stops renewing, and the old leader stops before its lease ends', async () => {
    const { client } = await leaseClient('failover');
    const state: { cut: boolean; lastWrite?: number } = { cut: false };
    const a = candidate(partitionable(client, state), 'replica-a', fast, false);
    await until('replica-a leads', () => a.elector.isLeader());
    const b = candidate(client, 'replica-b', fast);
    try {
      await sleep(1_000);
      assert.equal(b.elector.isLeader(), false);
      state.cut = true;
      await until('replica-b leads', () => b.elector.isLeader(), 3 * fast.leaseDurationMs);
      const lastWrite = state.lastWrite ?? 0;
      assert.ok(a.abortedAt !== undefined && b.startedAt !== undefined);
      assert.ok(
        a.abortedAt < b.startedAt,
        'the old leader was still working when the new one started',
      );
      assert.ok(a.abortedAt - lastWrite <= fast.renewDeadlineMs + 200, 'stopped too late');
      assert.ok(
        b.startedAt - lastWrite >= fast.leaseDurationMs,
        'took over before the lease expired',
      );
      assert.equal((await client.get())?.spec.holderIdentity, 'replica-b');
      assert.equal((await client.get())?.spec.leaseTransitions, 1);
      await a.done;
    } finally {
      a.stop.abort();
      b.stop.abort();
      await Promise.all([a.done, b.done]);
    }
  });

  it('hands over at once when the leader releases the lease on shutdown', async () => {
    const slow: LeaderConfig = {
      leaseDurationMs: 10_000,
      renewDeadlineMs: 5_000,
      retryPeriodMs: 250,
    };
    const { client } = await leaseClient('release');
    const a = candidate(client, 'replica-a', slow);
    await until('replica-a leads', () => a.elector.isLeader());
    const b = candidate(client, 'replica-b', slow);
    try {
      await sleep(1_000);
      const stoppedAt = Date.now();
      a.stop.abort();
      await a.done;
      await until('replica-b leads', () => b.elector.isLeader(), slow.leaseDurationMs);
      assert.ok(
        a.abortedAt !== undefined && b.startedAt !== undefined && a.abortedAt <= b.startedAt,
      );
      assert.ok(b.startedAt - stoppedAt < 2_000, `took ${b.startedAt - stoppedAt} ms`);
    } finally {
      b.stop.abort();
      await b.done;
    }
  });
});
