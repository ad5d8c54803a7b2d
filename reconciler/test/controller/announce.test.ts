import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Application } from '../../src/api/application.ts';
import { announce } from '../../src/controller/announce.ts';
import type { ReconcileResult } from '../../src/controller/reconcile.ts';
import { createLogger, memorySink } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { nextStatus } from '../../src/status/next.ts';

test('a failure repeated with a message too long for status records no new Warning Event', async () => {
  const result: ReconcileResult = {
    outcome: {
      kind: 'failed',
      reason: 'ApplyFailed',
      message: `1 object(s) failed: ${'x'.repeat(40_000)}`,
    },
    changes: { created: 0, configured: 0, unchanged: 0, deleted: 0 },
  };
  const app: Application = {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'apps', generation: 1 },
  };
  // What status holds after the first time (its message bounded).
  const stored = { ...app, status: nextStatus(app, result, new Date('2026-01-01T00:00:00Z')) };
  const recorded: string[] = [];
  await announce(stored, result, {
    events: { record: async (_app, type, reason) => void recorded.push(`${type} ${reason}`) },
    metrics: createMetrics({ processMetrics: false }),
    log: createLogger({ sink: memorySink() }),
  });
  assert.deepEqual(recorded, []);
});
