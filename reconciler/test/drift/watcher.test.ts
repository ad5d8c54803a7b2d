import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { promisify } from 'node:util';
import { localEnv } from '../../../test/env/for-tests.ts';
import { applyAll } from '../../src/apply/apply.ts';
import type { DriftReport } from '../../src/drift/debounce.ts';
import { watchDrift } from '../../src/drift/watcher.ts';
import { inventoryOf } from '../../src/inventory/inventory.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { eventually, testKube } from '../kube/support.ts';

const env = localEnv();
const owner = { namespace: 'kustodian-system', name: 'drift-tests' };
const run = promisify(execFile);

describe('watching managed objects for drift', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('drift');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const kubectl = (...args: string[]) =>
    run('kubectl', ['--namespace', ns, ...args], {
      env: { ...process.env, KUBECONFIG: env().kubeconfig },
    });
  const configMap = (name: string, mode = 'fast'): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { mode },
  });

  for (const withDesired of [false, true]) {
    const fields = withDesired ? 'the desired objects' : 'the fields kustodian held at first sight';
    test(`reports another manager's edit and a kubectl delete, judging by ${fields}`, async () => {
      const prefix = withDesired ? 'with-desired' : 'first-sight';
      const names = ['edited', 'deleted', 'quiet'].map((name) => `${prefix}-${name}`);
      const set = names.map((name) => configMap(name));
      const applied = await applyAll(set, { kube, owner, defaultNamespace: ns });
      assert.equal(applied.ok, true);
      const batches: DriftReport[][] = [];
      const errors: Error[] = [];
      const watcher = watchDrift({
        kube,
        inventory: inventoryOf(applied.objects),
        owner,
        ...(withDesired ? { desired: applied.objects } : {}),
        onDrift: (reports) => batches.push(reports),
        onError: (error) => errors.push(error),
        debounceMs: 300,
      });
      try {
        await watcher.ready;
        // Our own re-apply and another manager's unrelated annotation are not drift.
        const reapplied = await applyAll([configMap(names[2] ?? '', 'slow')], {
          kube,
          owner,
          defaultNamespace: ns,
        });
        assert.equal(reapplied.entries[0]?.outcome, 'configured');
        await kubectl(
          'annotate',
          'configmap',
          names[2] ?? '',
          'note=hello',
          '--field-manager=someone-else',
        );
        await delay(1200);
        assert.equal(batches.length, 0, JSON.stringify(batches));

        await kubectl(
          'patch',
          'configmap',
          names[0] ?? '',
          '--type=merge',
          '-p',
          '{"data":{"mode":"hacked"}}',
          '--field-manager=someone-else',
        );
        const edited = await eventually(
          async () => batches.flat().find((report) => report.id.endsWith(names[0] ?? '')),
          'the edit to be reported',
          10_000,
        );
        assert.equal(edited.id, `ConfigMap/${ns}/${names[0]}`);
        assert.equal(edited.message, 'changed by someone-else (Update): data.mode');

        await kubectl('delete', 'configmap', names[1] ?? '');
        const deleted = await eventually(
          async () => batches.flat().find((report) => report.id.endsWith(names[1] ?? '')),
          'the delete to be reported',
          10_000,
        );
        assert.deepEqual(deleted.drift, { kind: 'deleted' });
        assert.equal(
          batches.flat().some((report) => report.id.endsWith(names[2] ?? '')),
          false,
        );
        assert.deepEqual(errors, []);
      } finally {
        await watcher.stop();
      }
    });
  }

  test('reports an inventory object that is already missing when the watch starts', async () => {
    const applied = await applyAll([configMap('present')], { kube, owner, defaultNamespace: ns });
    const inventory = [
      ...inventoryOf(applied.objects),
      { id: `ConfigMap/${ns}/missing`, version: 'v1' },
    ];
    const batches: DriftReport[][] = [];
    const watcher = watchDrift({
      kube,
      inventory,
      owner,
      onDrift: (reports) => batches.push(reports),
      debounceMs: 100,
    });
    try {
      const reports = await eventually(
        async () => batches[0],
        'the missing object to be reported',
        5000,
      );
      assert.deepEqual(
        reports.map((report) => [report.id, report.drift.kind]),
        [[`ConfigMap/${ns}/missing`, 'deleted']],
      );
    } finally {
      await watcher.stop();
    }
  });
});
