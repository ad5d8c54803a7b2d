import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Application } from '../../src/api/application.ts';
import type { ReconcileResult } from '../../src/controller/reconcile.ts';
import { boundMessage, maxMessageLength } from '../../src/status/conditions.ts';
import { nextStatus, statusChanged } from '../../src/status/next.ts';

const now = new Date('2026-01-01T00:00:00Z');
const noChanges = { created: 0, configured: 0, unchanged: 0, deleted: 0 };
const app = (status?: Application['status']): Application => ({
  apiVersion: 'kustodian.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'shop', namespace: 'apps', generation: 1 },
  ...(status ? { status } : {}),
});

// The Application CRD's limit on a condition message, in characters.
const crdLimit = 32768;

describe('the next status', () => {
  test('bounds every condition and health message, keeping the beginning', () => {
    const message = `first error here; ${'x'.repeat(40_000)}`;
    const result: ReconcileResult = {
      outcome: { kind: 'failed', reason: 'HealthCheckFailed', message },
      health: { status: 'Degraded', message, counts: {} },
      changes: noChanges,
    };
    const status = nextStatus(app(), result, now);
    const messages = [
      ...(status.conditions ?? []).map((c) => c.message),
      status.health?.message ?? '',
    ];
    assert.equal(messages.length, 3);
    for (const text of messages) {
      assert.ok(text.length <= maxMessageLength, `${text.length} characters`);
      assert.ok(text.length < crdLimit);
      assert.ok(text.startsWith('first error here; xxx'));
      assert.match(text, / … \(\d+ more characters\)$/);
    }
  });

  test('an outcome repeated with the same long message does not rewrite status', () => {
    const message = `1 object(s) failed: ${'y'.repeat(50_000)}`;
    const result: ReconcileResult = {
      outcome: { kind: 'failed', reason: 'ApplyFailed', message },
      changes: noChanges,
    };
    const stored = nextStatus(app(), result, now);
    const again = nextStatus(app(stored), result, new Date('2026-01-01T00:10:00Z'));
    assert.equal(statusChanged(app(stored), again), false);
  });
});

describe('the source of a sync in the next status', () => {
  const sync = {
    revision: `main@sha1:${'c'.repeat(40)}`,
    startedAt: '2026-01-01T00:00:00.000Z',
    finishedAt: '2026-01-01T00:00:05.000Z',
    result: 'Succeeded' as const,
  };
  const applied = (trailers: Record<string, string>): ReconcileResult => ({
    outcome: {
      kind: 'succeeded',
      message: 'applied',
      health: { status: 'Healthy', message: 'ok' },
    },
    lastAppliedRevision: sync.revision,
    trailers,
    committedAt: '2025-12-31T23:59:00Z',
    changes: noChanges,
    sync,
  });

  test('records the commit time of the revision and the app commit and its time from the trailers', () => {
    const status = nextStatus(
      app(),
      applied({
        'Kustodian-Source-Repository': 'acme/web',
        'Kustodian-Source-Commit': 'd'.repeat(40),
        'Kustodian-Source-Time': '2025-12-31T23:50:00+01:00',
        'Kustodian-Workflow-Run': 'https://github.com/acme/web/actions/runs/42',
      }),
      now,
    );
    assert.deepEqual(status.lastAppliedSource, {
      repository: 'acme/web',
      commit: 'd'.repeat(40),
      time: '2025-12-31T22:50:00Z',
      workflowRun: 'https://github.com/acme/web/actions/runs/42',
    });
    assert.deepEqual(status.history, [
      {
        ...sync,
        revisionTime: '2025-12-31T23:59:00Z',
        sourceCommit: 'd'.repeat(40),
        sourceTime: '2025-12-31T22:50:00Z',
      },
    ]);
  });

  test('leaves out a source time that is not an RFC 3339 date-time, and keeps the rest', () => {
    const status = nextStatus(
      app(),
      applied({ 'Kustodian-Source-Commit': 'd'.repeat(40), 'Kustodian-Source-Time': 'yesterday' }),
      now,
    );
    assert.deepEqual(status.lastAppliedSource, { commit: 'd'.repeat(40) });
    assert.deepEqual(status.history?.[0], {
      ...sync,
      revisionTime: '2025-12-31T23:59:00Z',
      sourceCommit: 'd'.repeat(40),
    });
  });

  test('a commit without trailers still has its commit time in the history', () => {
    const status = nextStatus(app(), applied({}), now);
    assert.equal(status.lastAppliedSource, undefined);
    assert.deepEqual(status.history?.[0], { ...sync, revisionTime: '2025-12-31T23:59:00Z' });
  });
});

describe('bounding a message', () => {
  test('leaves a short message as it is', () => {
    assert.equal(boundMessage('apply failed'), 'apply failed');
    const exact = 'z'.repeat(maxMessageLength);
    assert.equal(boundMessage(exact), exact);
  });

  test('never splits a surrogate pair at the cut', () => {
    for (let shift = 0; shift < 40; shift++) {
      const text = `${'a'.repeat(maxMessageLength - 40 + shift)}${'😀'.repeat(100)}`;
      const bounded = boundMessage(text);
      assert.ok(bounded.length <= maxMessageLength);
      assert.ok(bounded.isWellFormed(), `well formed with shift ${shift}`);
      const kept = bounded.replace(/ … \((\d+) more characters\)$/, '');
      const left = Number(/\((\d+) more/.exec(bounded)?.[1]);
      assert.equal(kept.length + left, text.length, 'says how much was left out');
      assert.ok(text.startsWith(kept));
    }
  });
});
