import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import type { Owner } from '@kustodian/shared/apply/ownership';
import { localEnv } from '../../../test/env/for-tests.ts';
import { applyAll } from '../../src/apply/apply.ts';
import type { DriftReport } from '../../src/drift/debounce.ts';
import { startDriftHub } from '../../src/drift/hub.ts';
import { inventoryOf } from '../../src/inventory/inventory.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { countsSince } from '../../src/kube/requests.ts';
import { eventually, testKube } from '../kube/support.ts';

const env = localEnv();
const run = promisify(execFile);

describe('drift watching of many Applications through one hub', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('drift-hub');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const kubectl = (...args: string[]) =>
    run('kubectl', ['--namespace', ns, ...args], {
      env: { ...process.env, KUBECONFIG: env().kubeconfig },
    });
  const configMap = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { mode: 'fast' },
  });
  const applied = async (owner: Owner, names: string[]) => {
    const result = await applyAll(names.map(configMap), { kube, owner, defaultNamespace: ns });
    assert.equal(result.ok, true);
    return inventoryOf(result.objects);
  };

  test('watches a kind once for every Application and tells each only about its own objects', async () => {
    const first = { namespace: 'apps', name: 'first' };
    const second = { namespace: 'apps', name: 'second' };
    const firstInventory = await applied(first, ['first-a', 'first-b', 'first-c']);
    const secondInventory = [
      ...(await applied(second, ['second-a', 'second-b', 'second-c'])),
      // Already gone when the second Application starts watching.
      { id: `ConfigMap/${ns}/second-missing`, version: 'v1' },
    ];
    const reports = new Map<string, DriftReport[]>([
      ['first', []],
      ['second', []],
    ]);
    const hub = startDriftHub({ kube });
    const before = kube.requestCounts();
    const watch = (owner: Owner, inventory: typeof firstInventory) =>
      hub.watch({
        inventory,
        owner,
        debounceMs: 200,
        onDrift: (batch) => reports.get(owner.name)?.push(...batch),
      });
    const firstWatch = watch(first, firstInventory);
    await firstWatch.ready;
    // The second joins a kind the hub already watches: it reads its own objects for a baseline.
    const secondWatch = watch(second, secondInventory);
    await secondWatch.ready;
    try {
      const missing = await eventually(
        async () => reports.get('second')?.find((r) => r.id.endsWith('second-missing')),
        'the missing object to be reported to its Application',
        5000,
      );
      assert.deepEqual(missing.drift, { kind: 'deleted' });

      await kubectl(
        'patch',
        'configmap',
        'first-b',
        '--type=merge',
        '-p',
        '{"data":{"mode":"hacked"}}',
        '--field-manager=someone-else',
      );
      await kubectl('delete', 'configmap', 'second-c');
      const edited = await eventually(
        async () => reports.get('first')?.find((r) => r.id.endsWith('first-b')),
        'the edit to be reported to the first Application',
        10_000,
      );
      assert.equal(edited.message, 'changed by someone-else (Update): data.mode');
      const deleted = await eventually(
        async () => reports.get('second')?.find((r) => r.id.endsWith('second-c')),
        'the delete to be reported to the second Application',
        10_000,
      );
      assert.deepEqual(deleted.drift, { kind: 'deleted' });
      assert.deepEqual(
        reports.get('first')?.map((r) => r.id),
        [`ConfigMap/${ns}/first-b`],
      );
      assert.deepEqual(
        reports
          .get('second')
          ?.map((r) => r.id)
          .sort(),
        [`ConfigMap/${ns}/second-c`, `ConfigMap/${ns}/second-missing`],
      );
      const made = countsSince(before, kube.requestCounts());
      assert.equal(made.watch, 1, `one watch of ConfigMaps for both: ${JSON.stringify(made)}`);
    } finally {
      await firstWatch.stop();
      await secondWatch.stop();
      await hub.stop();
    }
  });

  test('watches an object applied IfNotPresent only for its deletion', async () => {
    const owner = { namespace: 'apps', name: 'once' };
    const once: KubeObject = {
      ...configMap('once-filled-by-hand'),
      metadata: {
        name: 'once-filled-by-hand',
        annotations: { 'kustodian.dev/apply': 'IfNotPresent' },
      },
    };
    const result = await applyAll([once, configMap('once-declared')], {
      kube,
      owner,
      defaultNamespace: ns,
    });
    assert.equal(result.ok, true);
    const onceId = `ConfigMap/${ns}/once-filled-by-hand`;
    const reports: DriftReport[] = [];
    const hub = startDriftHub({ kube });
    const watch = hub.watch({
      inventory: inventoryOf(result.objects),
      owner,
      deletionOnly: [onceId],
      debounceMs: 200,
      onDrift: (batch) => reports.push(...batch),
    });
    await watch.ready;
    try {
      for (const name of ['once-filled-by-hand', 'once-declared']) {
        await kubectl(
          'patch',
          'configmap',
          name,
          '--type=merge',
          '-p',
          '{"data":{"mode":"by hand"}}',
          '--field-manager=someone-else',
        );
      }
      // The declared one's edit is reported; by then the other's would have been too.
      await eventually(
        async () => reports.find((r) => r.id === `ConfigMap/${ns}/once-declared`),
        'the edit of the declared object to be reported',
        10_000,
      );
      assert.deepEqual(
        reports.map((r) => r.id),
        [`ConfigMap/${ns}/once-declared`],
      );
      await kubectl('delete', 'configmap', 'once-filled-by-hand');
      const deleted = await eventually(
        async () => reports.find((r) => r.id === onceId),
        'the deletion of the IfNotPresent object to be reported',
        10_000,
      );
      assert.deepEqual(deleted.drift, { kind: 'deleted' });
    } finally {
      await watch.stop();
      await hub.stop();
    }
  });
  test('keeps each object as last seen, and forgets one that another Application takes', async () => {
    const owner = { namespace: 'apps', name: 'seeing' };
    const inventory = await applied(owner, ['seen-a', 'seen-b', 'seen-c']);
    const hub = startDriftHub({ kube });
    const watch = hub.watch({ inventory, owner, debounceMs: 100, onDrift: () => undefined });
    const id = (name: string) => `ConfigMap/${ns}/${name}`;
    try {
      await watch.ready;
      assert.deepEqual(watch.seen(id('seen-a'))?.data, { mode: 'fast' });
      assert.equal(watch.seen(id('seen-a'))?.metadata.managedFields, undefined, 'kept small');
      assert.equal(watch.seen(`ConfigMap/${ns}/not-watched`), undefined);

      await kubectl(
        'patch',
        'configmap',
        'seen-a',
        '--type=merge',
        '-p',
        '{"data":{"mode":"slow"}}',
      );
      await eventually(
        async () =>
          (watch.seen(id('seen-a'))?.data as { mode?: string })?.mode === 'slow' || undefined,
        'the edit to be seen',
        10_000,
      );
      await kubectl(
        'annotate',
        'configmap',
        'seen-b',
        '--overwrite',
        'kustodian.dev/owner=apps/other',
      );
      await eventually(
        async () => watch.seen(id('seen-b')) === undefined || undefined,
        'the object taken by another Application to be forgotten',
        10_000,
      );
      await kubectl('delete', 'configmap', 'seen-c');
      await eventually(
        async () => watch.seen(id('seen-c')) === undefined || undefined,
        'the deleted object to be forgotten',
        10_000,
      );
    } finally {
      await watch.stop();
      await hub.stop();
    }
  });
});
