/**
 * Drift watching as the reconciler wires it, against the real API server: an object applied
 * `kustodian.dev/apply: IfNotPresent` is left to whoever edits it, and only its deletion queues
 * the Application again.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { localEnv } from '../../../test/env/for-tests.ts';
import type { Application } from '../../src/api/application.ts';
import { applyAll } from '../../src/apply/apply.ts';
import { inventoryOf } from '../../src/inventory/inventory.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { createLogger, memorySink } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import { startDriftWatching } from '../../src/wiring/drift.ts';
import { eventually, testKube } from '../kube/support.ts';

const env = localEnv();
const run = promisify(execFile);

describe('drift watching of an Application with an object applied IfNotPresent', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('drift-wiring');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const kubectl = (...args: string[]) =>
    run('kubectl', ['--namespace', ns, ...args], {
      env: { ...process.env, KUBECONFIG: env().kubeconfig },
    });
  const editByHand = (name: string, mode: string) =>
    kubectl(
      'patch',
      'configmap',
      name,
      '--type=merge',
      '-p',
      JSON.stringify({ data: { mode } }),
      '--field-manager=someone-else',
    );

  test('is not reverted when edited, and is when deleted', async () => {
    const owner = { namespace: ns, name: 'shop' };
    const secretLike: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'filled-by-hand', annotations: { 'kustodian.dev/apply': 'IfNotPresent' } },
      data: { mode: 'placeholder' },
    };
    const declared: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'declared' },
      data: { mode: 'fast' },
    };
    const applied = await applyAll([secretLike, declared], { kube, owner, defaultNamespace: ns });
    assert.equal(applied.ok, true);
    const app: Application = {
      apiVersion: 'kustodian.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: ns },
      spec: { selfHeal: true },
      status: { inventory: { entries: [...inventoryOf(applied.objects)] } },
    };
    const refreshes: string[] = [];
    const drift = startDriftWatching({
      kube,
      log: createLogger({ sink: memorySink() }),
      metrics: createMetrics({ processMetrics: false }),
      refresh: (_key, why) => refreshes.push(why),
    });
    try {
      drift.track(`${ns}/shop`, app, [`ConfigMap/${ns}/filled-by-hand`]);
      // Its first read of the objects is the baseline: give it a moment.
      await delay(1000);
      await editByHand('filled-by-hand', 'the real value');
      // A later reconcile that did not get as far as applying says nothing of the objects.
      drift.track(`${ns}/shop`, app);
      await editByHand('filled-by-hand', 'the real value, again');
      await editByHand('declared', 'slow');
      // The declared object's edit is reverted; by then the others would have been too.
      await eventually(
        async () => (refreshes.length > 0 ? refreshes : undefined),
        'the declared edit to queue the Application',
        15_000,
      );
      assert.equal(refreshes.length, 1, refreshes.join('\n'));
      assert.match(refreshes[0] ?? '', /ConfigMap\/[^/]+\/declared changed by someone-else/);
      assert.doesNotMatch(refreshes[0] ?? '', /filled-by-hand/);

      await kubectl('delete', 'configmap', 'filled-by-hand');
      const deleted = await eventually(
        async () => refreshes.find((why) => why.includes('filled-by-hand')),
        'the deletion to queue the Application',
        15_000,
      );
      assert.match(deleted, /filled-by-hand deleted/);
    } finally {
      await drift.stopAll();
    }
  });
});
