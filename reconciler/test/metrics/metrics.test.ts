import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { register as globalRegistry } from 'prom-client';
import { createMetrics, metricNames } from '../../src/metrics.ts';

describe('metrics', () => {
  it('exposes every kustodian metric with its labels on its own registry', async () => {
    const metrics = createMetrics({ processMetrics: false });
    metrics.reconcileDuration.observe({ result: 'success' }, 1.5);
    metrics.reconcileSteps.observe({ step: 'render' }, 0.02);
    metrics.reconcileTotal.inc({ result: 'failure', reason: 'BuildFailed' });
    metrics.objectsApplied.inc({ outcome: 'created' }, 3);
    metrics.objectsPruned.inc();
    metrics.driftCorrections.inc(2);
    metrics.queueDepth.set(4);
    metrics.sourceFetches.inc({ result: 'fetched' });
    metrics.applications.set({ ready: 'true' }, 7);
    metrics.kubeRequests.inc({ verb: 'apply' });
    metrics.leader.set(1);
    const text = await metrics.registry.metrics();
    for (const name of Object.values(metricNames)) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    assert.match(
      text,
      /^kustodian_reconcile_duration_seconds_bucket\{le="2.5",result="success"\} 1$/m,
    );
    assert.match(
      text,
      /^kustodian_reconcile_step_duration_seconds_bucket\{le="0.025",step="render"\} 1$/m,
    );
    assert.match(text, /^kustodian_reconcile_total\{result="failure",reason="BuildFailed"\} 1$/m);
    assert.match(text, /^kustodian_objects_applied_total\{outcome="created"\} 3$/m);
    assert.match(text, /^kustodian_drift_corrections_total 2$/m);
    assert.match(text, /^kustodian_queue_depth 4$/m);
    assert.match(text, /^kustodian_applications\{ready="true"\} 7$/m);
    assert.match(text, /^kustodian_leader 1$/m);
    assert.equal((await globalRegistry.metrics()).trim(), '');
  });

  it('lets two instances live in one process', () => {
    createMetrics({ processMetrics: false });
    assert.doesNotThrow(() => createMetrics({ processMetrics: false }));
  });

  it('reports resident memory with the process metrics', async () => {
    const text = await createMetrics().registry.metrics();
    const match = /^process_resident_memory_bytes (\d+)$/m.exec(text);
    assert.ok(match, 'process_resident_memory_bytes is missing');
    assert.ok(Number(match[1]) > 10 * 1024 * 1024);
  });

  it('starts with the leader gauge at 0', async () => {
    const text = await createMetrics({ processMetrics: false }).registry.metrics();
    assert.match(text, /^kustodian_leader 0$/m);
  });
});
