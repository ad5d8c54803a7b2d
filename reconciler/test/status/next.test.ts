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
