import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeConflict } from '../../src/drift/conflicts.ts';
import { formatPath, objectPaths, withoutPaths } from '../../src/drift/fields.ts';
import { revertsOf } from '../../src/drift/reverts.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../src/kube/object.ts';

const desired: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'web' },
  data: { mode: 'git', level: '1' },
};
const ours: ManagedFieldsEntry = {
  manager: 'kustodian',
  operation: 'Apply',
  fieldsV1: { 'f:data': { 'f:level': {} } },
};
const theirs: ManagedFieldsEntry = {
  manager: 'mode-controller',
  operation: 'Update',
  fieldsV1: { 'f:data': { 'f:mode': {} } },
};
const liveWith = (data: Record<string, string>, ...managedFields: ManagedFieldsEntry[]) => ({
  ...desired,
  metadata: { ...desired.metadata, managedFields },
  data,
});

test('a field another manager set and the apply sets back is a revert by that manager', () => {
  const live = liveWith({ mode: 'controller', level: '1' }, ours, theirs);
  const reverts = revertsOf(live, { ...live, data: { mode: 'git', level: '1' } }, desired);
  assert.deepEqual(
    reverts.map((r) => ({ manager: r.manager, fields: r.fields.map(formatPath) })),
    [{ manager: 'mode-controller', fields: ['data.mode'] }],
  );
});

test('a field another manager holds with the value the apply keeps is no revert', () => {
  const live = liveWith({ mode: 'git', level: '0' }, ours, theirs);
  // Only `level` changes, which nobody else touched.
  assert.deepEqual(revertsOf(live, { ...live, data: { mode: 'git', level: '1' } }, desired), []);
});

test('leaving out a field takes the maps it leaves empty with it and shares the rest', () => {
  const role = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', labels: { team: 'web' } },
    data: { mode: 'git' },
    binaryData: { blob: 'AA==' },
  };
  const paths = [...objectPaths(role)].filter((p) => formatPath(p) === 'data.mode');
  const kept = withoutPaths(role, paths);
  assert.deepEqual(kept, {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', labels: { team: 'web' } },
    binaryData: { blob: 'AA==' },
  });
  assert.equal(kept.metadata, role.metadata);
  assert.deepEqual(role.data, { mode: 'git' }, 'the original is left as it was');
});

test('leaving out a field that is not there changes nothing', () => {
  const obj = { kind: 'ConfigMap', data: { level: '1' } };
  assert.equal(withoutPaths(obj, [...objectPaths({ rules: [] })]), obj);
});

test('a conflict is described with its object, fields and manager', () => {
  const fields = [...objectPaths({ data: { mode: 'x' }, spec: { replicas: 1 } })].sort();
  assert.equal(
    describeConflict({ object: 'ConfigMap/web/settings', manager: 'mode-controller', fields }),
    'ConfigMap/web/settings: data.mode, spec.replicas, set back by mode-controller',
  );
});
