import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Condition, nextConditions } from '../../src/status/conditions.ts';

const t0 = new Date('2026-01-01T00:00:00Z');
const t1 = new Date('2026-01-01T00:05:00Z');
const healthy = { status: 'Healthy', message: 'all 3 objects are healthy' } as const;

describe('conditions', () => {
  test('a success makes Ready and Healthy true and drops Reconciling and Stalled', () => {
    const before = nextConditions(
      [],
      { kind: 'failed', reason: 'BuildFailed', message: 'boom' },
      1,
      t0,
    );
    assert.ok(before.some((c) => c.type === 'Stalled' && c.status === 'True'));
    const after = nextConditions(
      before,
      { kind: 'succeeded', message: 'applied', health: healthy },
      2,
      t1,
    );
    assert.deepEqual(
      after.map((c) => [c.type, c.status, c.reason]),
      [
        ['Ready', 'True', 'ReconciliationSucceeded'],
        ['Healthy', 'True', 'Healthy'],
      ],
    );
    assert.ok(after.every((c) => c.observedGeneration === 2));
  });

  test('keeps lastTransitionTime while a status does not change', () => {
    const first = nextConditions(
      [],
      { kind: 'succeeded', message: 'applied a', health: healthy },
      1,
      t0,
    );
    const second = nextConditions(
      first,
      { kind: 'succeeded', message: 'applied b', health: healthy },
      1,
      t1,
    );
    const ready = second.find((c) => c.type === 'Ready') as Condition;
    assert.equal(ready.lastTransitionTime, t0.toISOString());
    assert.equal(ready.message, 'applied b');
  });

  test('a fetch failure is not Stalled and keeps the previous health', () => {
    const ok = nextConditions(
      [],
      { kind: 'succeeded', message: 'applied', health: healthy },
      1,
      t0,
    );
    const failed = nextConditions(
      ok,
      { kind: 'failed', reason: 'FetchFailed', message: 'unreachable' },
      1,
      t1,
    );
    assert.deepEqual(
      failed.map((c) => [c.type, c.status, c.reason]),
      [
        ['Ready', 'False', 'FetchFailed'],
        ['Healthy', 'True', 'Healthy'],
      ],
    );
    assert.equal(failed.find((c) => c.type === 'Ready')?.lastTransitionTime, t1.toISOString());
  });

  test('a health wait that ran out says Progressing, one that found a failure says Degraded', () => {
    const timedOut = {
      kind: 'failed',
      reason: 'HealthCheckFailed',
      message: 'not healthy within 60s',
    } as const;
    const healthyOf = (health: 'Progressing' | 'Degraded') =>
      nextConditions([], timedOut, 1, t0, health).find((c) => c.type === 'Healthy');
    assert.deepEqual(
      [healthyOf('Progressing')?.status, healthyOf('Progressing')?.reason],
      ['Unknown', 'Progressing'],
    );
    assert.deepEqual(
      [healthyOf('Degraded')?.status, healthyOf('Degraded')?.reason],
      ['False', 'Degraded'],
    );
  });

  test('a build failure stalls until the inputs change', () => {
    const stalled = nextConditions(
      [],
      { kind: 'failed', reason: 'BuildFailed', message: 'kustomize exited 1' },
      3,
      t0,
    );
    assert.deepEqual(
      stalled.find((c) => c.type === 'Stalled'),
      {
        type: 'Stalled',
        status: 'True',
        reason: 'BuildFailed',
        message: 'kustomize exited 1',
        observedGeneration: 3,
        lastTransitionTime: t0.toISOString(),
      },
    );
  });

  test('a health failure marks Healthy false with reason Degraded', () => {
    const conditions = nextConditions(
      [],
      { kind: 'failed', reason: 'HealthCheckFailed', message: 'Deployment/x crash looping' },
      1,
      t0,
    );
    assert.deepEqual(conditions.find((c) => c.type === 'Healthy')?.reason, 'Degraded');
  });

  test('progress shows Ready Unknown and Reconciling true', () => {
    const conditions = nextConditions([], { kind: 'progressing', message: 'applying abc' }, 1, t0);
    assert.deepEqual(
      conditions.map((c) => [c.type, c.status]),
      [
        ['Ready', 'Unknown'],
        ['Reconciling', 'True'],
      ],
    );
  });
});
