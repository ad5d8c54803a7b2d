import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { applyAll } from '../../src/apply/apply.ts';
import { diffInventory, inventoryOf } from '../../src/inventory/inventory.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { prune, survivors } from '../../src/prune/prune.ts';
import { eventually, testCrd, testKube } from '../kube/support.ts';

const env = localEnv();
const owner = { namespace: 'kustodian-system', name: 'prune-tests' };

describe('pruning objects that left the set', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('prune');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const configMap = (name: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: ns },
    data: { name },
  });
  const ref = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });
  const apply = async (objects: KubeObject[], as = owner) => {
    const result = await applyAll(objects, { kube, owner: as, defaultNamespace: ns });
    assert.equal(result.ok, true, JSON.stringify(result.entries));
    return inventoryOf(result.objects);
  };

  test('deletes the objects removed from the set and keeps the rest', async () => {
    const previous = await apply([configMap('stays'), configMap('goes')]);
    const current = await apply([configMap('stays')]);
    const stale = diffInventory(previous, current);
    assert.deepEqual(stale, [{ id: `ConfigMap/${ns}/goes`, version: 'v1' }]);
    const results = await prune(stale, { owner, kube });
    assert.deepEqual(results, [{ entry: stale[0], outcome: 'deleted' }]);
    assert.equal(await kube.get(ref('goes')), undefined);
    assert.ok(await kube.get(ref('stays')));
  });

  test('leaves alone an object another Application took over, and one without our marks', async () => {
    const previous = await apply([configMap('moved')]);
    await apply([configMap('moved')], { namespace: 'kustodian-system', name: 'new-owner' });
    await kube.apply({ ...configMap('foreign'), metadata: { name: 'foreign', namespace: ns } });
    const entries = [...previous, { id: `ConfigMap/${ns}/foreign`, version: 'v1' }];
    const results = await prune(entries, { owner, kube });
    assert.deepEqual(
      results.map((result) => [result.entry.id, result.outcome, result.message]),
      [
        [`ConfigMap/${ns}/moved`, 'skipped', 'left alone: now owned by kustodian-system/new-owner'],
        [`ConfigMap/${ns}/foreign`, 'skipped', 'left alone: no longer carries an owner annotation'],
      ],
    );
    assert.ok(await kube.get(ref('moved')));
    assert.ok(await kube.get(ref('foreign')));
  });

  test('leaves alone an object annotated prune disabled', async () => {
    const kept = configMap('kept');
    kept.metadata.annotations = { 'kustodian.dev/prune': 'disabled' };
    const previous = await apply([kept, configMap('dropped')]);
    const results = await prune(diffInventory(previous, []), { owner, kube });
    const outcomes = new Map(results.map((result) => [result.entry.id, result]));
    assert.equal(outcomes.size, 2);
    assert.deepEqual(
      [
        outcomes.get(`ConfigMap/${ns}/kept`)?.outcome,
        outcomes.get(`ConfigMap/${ns}/kept`)?.message,
      ],
      ['skipped', 'left alone: kustodian.dev/prune is disabled'],
    );
    assert.equal(outcomes.get(`ConfigMap/${ns}/dropped`)?.outcome, 'deleted');
    assert.ok(await kube.get(ref('kept')));
    assert.equal(await kube.get(ref('dropped')), undefined);
  });

  test('counts an object that is already gone as deleted', async () => {
    const results = await prune([{ id: `ConfigMap/${ns}/never-existed`, version: 'v1' }], {
      owner,
      kube,
    });
    assert.deepEqual(
      results.map((result) => [result.outcome, result.message]),
      [['deleted', 'already gone']],
    );
  });

  test('keeps a failed delete in the result so the caller retries it', async () => {
    const inventory = await apply([configMap('protected')]);
    // A service account that may read ConfigMaps here but not delete them.
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'reader', namespace: ns },
    });
    await kube.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'read-config', namespace: ns },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
    });
    await kube.apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'reader-reads', namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-config' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
    });
    const reader = kube.impersonating({ namespace: ns, name: 'reader' });
    // The API server's RBAC authorizer sees a new binding a moment after it is created.
    await waitFor('the reader to be allowed to read ConfigMaps', async () =>
      Boolean(await reader.get(ref('protected'))),
    );
    const results = await prune(inventory, { owner, kube: reader });
    assert.equal(results[0]?.outcome, 'failed');
    assert.match(
      results[0]?.message ?? '',
      new RegExp(`^delete ConfigMap/${ns}/protected: Forbidden \\(403\\): `),
    );
    assert.deepEqual(survivors(results), inventory);
    assert.ok(await kube.get(ref('protected')));
  });

  test('deletes an object whose version was retired through a version still served', async () => {
    // Widgets served as v1alpha1 and v1; the objects are applied as v1alpha1.
    const { crd, group, widget } = testCrd();
    const versions = (crd.spec as { versions: { name: string; served: boolean }[] }).versions;
    const v1 = versions[0] as { name: string; served: boolean };
    const withAlpha = (served: boolean): KubeObject => ({
      ...crd,
      spec: {
        ...(crd.spec as object),
        versions: [{ ...v1, name: 'v1alpha1', served, storage: false }, v1],
      },
    });
    const crdRef = { apiVersion: crd.apiVersion, kind: crd.kind, name: crd.metadata.name };
    await kube.apply(withAlpha(true));
    try {
      const alpha = (name: string) => ({
        ...widget(ns, name, {}),
        apiVersion: `${group}/v1alpha1`,
      });
      await eventually(
        async () => await kube.resourceFor(`${group}/v1alpha1`, 'Widget').catch(() => undefined),
        'v1alpha1 widgets to be served',
      );
      const inventory = await apply([alpha('cached'), alpha('fresh')]);
      assert.deepEqual(
        inventory.map((entry) => entry.version),
        ['v1alpha1', 'v1alpha1'],
      );

      // v1alpha1 is retired; v1 still serves Widgets.
      await kube.apply(withAlpha(false));
      await eventually(async () => {
        const groupDoc = JSON.parse(await kube.getRaw(`/apis/${group}`));
        return groupDoc.versions.length === 1 ? true : undefined;
      }, 'v1alpha1 to be retired');
      // `kube` still has v1alpha1 in its discovery cache; a new client reads discovery afresh.
      const byId = (name: string) => inventory.filter((entry) => entry.id.endsWith(`/${name}`));
      const results = [
        ...(await prune(byId('cached'), { owner, kube })),
        ...(await prune(byId('fresh'), { owner, kube: testKube(env().kc) })),
      ];
      assert.deepEqual(
        results.map((result) => [result.outcome, result.message]),
        [
          ['deleted', undefined],
          ['deleted', undefined],
        ],
      );
      for (const name of ['cached', 'fresh']) {
        const ref = { apiVersion: `${group}/v1`, kind: 'Widget', namespace: ns, name };
        assert.equal(await kube.get(ref), undefined, `${name} is deleted`);
      }

      // With the CRD gone, no version serves Widgets: nothing is left to delete.
      await kube.delete(crdRef);
      await eventually(
        async () => ((await kube.get(crdRef)) === undefined ? true : undefined),
        'the CRD to be gone',
      );
      const gone = await prune([{ id: `${group}/Widget/${ns}/never`, version: 'v1' }], {
        owner,
        kube: testKube(env().kc),
      });
      assert.deepEqual(
        gone.map((result) => [result.outcome, result.message]),
        [['deleted', 'its kind is no longer served']],
      );
    } finally {
      await kube.delete(crdRef);
    }
  });

  test('a dry run deletes nothing', async () => {
    const inventory = await apply([configMap('rehearsed')]);
    const results = await prune(inventory, { owner, kube, dryRun: true });
    assert.equal(results[0]?.outcome, 'deleted');
    assert.ok(await kube.get(ref('rehearsed')));
  });
});
