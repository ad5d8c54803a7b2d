import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  diffInventory,
  inventoryOf,
  normalizeInventory,
  refOfEntry,
  withEntries,
} from '../../src/inventory/inventory.ts';
import type { KubeObject } from '../../src/kube/object.ts';

const obj = (apiVersion: string, kind: string, name: string, namespace?: string): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
});

test('records each object as its id and version, sorted by id', () => {
  const inventory = inventoryOf([
    obj('apps/v1', 'Deployment', 'api', 'web'),
    obj('v1', 'Namespace', 'web'),
    obj('v1', 'ConfigMap', 'settings', 'web'),
    obj('example.com/v1beta2', 'Widget', 'w', 'web'),
  ]);
  assert.deepEqual(inventory, [
    { id: 'ConfigMap/web/settings', version: 'v1' },
    { id: 'Namespace/web', version: 'v1' },
    { id: 'apps/Deployment/web/api', version: 'v1' },
    { id: 'example.com/Widget/web/w', version: 'v1beta2' },
  ]);
});

test('keeps one entry per id, the last one winning', () => {
  assert.deepEqual(
    normalizeInventory([
      { id: 'example.com/Widget/web/w', version: 'v1beta1' },
      { id: 'example.com/Widget/web/w', version: 'v1' },
    ]),
    [{ id: 'example.com/Widget/web/w', version: 'v1' }],
  );
});

test('prunes what left the set, in reverse apply order: content before namespaces, CRs before CRDs', () => {
  const previous = normalizeInventory([
    { id: 'Namespace/old', version: 'v1' },
    { id: 'ConfigMap/old/settings', version: 'v1' },
    { id: 'apps/Deployment/old/api', version: 'v1' },
    { id: 'apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com', version: 'v1' },
    { id: 'example.com/Widget/old/w', version: 'v1' },
    { id: 'ConfigMap/web/kept', version: 'v1' },
  ]);
  const current = normalizeInventory([{ id: 'ConfigMap/web/kept', version: 'v1' }]);
  assert.deepEqual(
    diffInventory(previous, current).map((entry) => entry.id),
    [
      'example.com/Widget/old/w',
      'apps/Deployment/old/api',
      'ConfigMap/old/settings',
      'Namespace/old',
      'apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com',
    ],
  );
});

test('does not prune an object whose version changed', () => {
  const previous = [{ id: 'example.com/Widget/web/w', version: 'v1beta1' }];
  const current = [{ id: 'example.com/Widget/web/w', version: 'v1' }];
  assert.deepEqual(diffInventory(previous, current), []);
});

test('turns an entry back into a reference for the core group and other groups', () => {
  assert.deepEqual(refOfEntry({ id: 'ConfigMap/web/settings', version: 'v1' }), {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    name: 'settings',
    namespace: 'web',
  });
  assert.deepEqual(
    refOfEntry({ id: 'rbac.authorization.k8s.io/ClusterRole/reader', version: 'v1' }),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      name: 'reader',
    },
  );
  assert.equal(refOfEntry({ id: 'not/an/id/at/all', version: 'v1' }), undefined);
});

test('merges prune survivors back into the new inventory', () => {
  const merged = withEntries(
    [{ id: 'ConfigMap/web/b', version: 'v1' }],
    [
      { id: 'ConfigMap/web/a', version: 'v1' },
      { id: 'ConfigMap/web/b', version: 'v0' },
    ],
  );
  assert.deepEqual(merged, [
    { id: 'ConfigMap/web/a', version: 'v1' },
    { id: 'ConfigMap/web/b', version: 'v1' },
  ]);
});
