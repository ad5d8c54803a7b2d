import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDrift, driftOf, isDrifted, ownedFields } from '../../src/drift/drifted.ts';
import { fieldsV1Paths, formatPath, objectPaths } from '../../src/drift/fields.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../src/kube/object.ts';

const desired: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'web',
    labels: { 'app.kubernetes.io/managed-by': 'kustodian' },
  },
  data: { mode: 'fast', level: '1' },
};

const ours: ManagedFieldsEntry = {
  manager: 'kustodian',
  operation: 'Apply',
  time: '2026-01-01T00:00:00Z',
  fieldsV1: {
    'f:data': { '.': {}, 'f:level': {}, 'f:mode': {} },
    'f:metadata': { 'f:labels': { '.': {}, 'f:app.kubernetes.io/managed-by': {} } },
  },
};

const live = (...managedFields: ManagedFieldsEntry[]): KubeObject => ({
  ...desired,
  metadata: { ...desired.metadata, managedFields },
});

const paths = (set: Set<string>) => [...set].map(formatPath).sort();

test('flattens fieldsV1 to leaf fields, ignoring map markers and cutting at list elements', () => {
  const fields = {
    'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
    'f:spec': {
      'f:replicas': {},
      'f:template': {
        'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {} } } },
      },
    },
  };
  assert.deepEqual(paths(fieldsV1Paths(fields)), [
    'metadata.annotations.note',
    'spec.replicas',
    'spec.template.spec.containers',
  ]);
});

test('takes the fields of a desired object as an apply would own them', () => {
  assert.deepEqual(paths(objectPaths(desired)), [
    'data.level',
    'data.mode',
    'metadata.labels.app.kubernetes.io/managed-by',
  ]);
});

test('an object only kustodian has written has not drifted', () => {
  assert.equal(isDrifted(live(ours), desired), false);
});

test('a field of ours changed by another manager is drift, named with the manager', () => {
  const edited: ManagedFieldsEntry = {
    manager: 'kubectl-edit',
    operation: 'Update',
    time: '2026-01-02T00:00:00Z',
    fieldsV1: {
      'f:data': { 'f:mode': {} },
      'f:metadata': { 'f:annotations': { '.': {}, 'f:note': {} } },
    },
  };
  const drift = driftOf(live(ours, edited), desired);
  assert.ok(drift);
  assert.equal(describeDrift(drift), 'changed by kubectl-edit (Update): data.mode');
});

test('an object applied only if not present drifts only by being deleted', () => {
  const once: KubeObject = {
    ...desired,
    metadata: { ...desired.metadata, annotations: { 'kustodian.dev/apply': 'IfNotPresent' } },
  };
  const edited: ManagedFieldsEntry = {
    manager: 'kubectl-edit',
    operation: 'Update',
    time: '2026-01-02T00:00:00Z',
    fieldsV1: { 'f:data': { 'f:mode': {} } },
  };
  assert.equal(driftOf(live(ours, edited), once), undefined);
  assert.deepEqual(driftOf(undefined, once), { kind: 'deleted' });
});

test('fields we do not set, and status written by controllers, are not drift', () => {
  const annotated: ManagedFieldsEntry = {
    manager: 'kube-controller-manager',
    operation: 'Update',
    fieldsV1: {
      'f:metadata': { 'f:annotations': { '.': {}, 'f:deployment.kubernetes.io/revision': {} } },
    },
  };
  const status: ManagedFieldsEntry = {
    manager: 'kube-controller-manager',
    operation: 'Update',
    subresource: 'status',
    fieldsV1: { 'f:data': { 'f:mode': {} } },
  };
  assert.equal(isDrifted(live(ours, annotated, status), desired), false);
});

test('another manager editing an element of a list we set is drift of that list', () => {
  const deployment: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'web' },
    spec: { template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
  };
  const setImage: ManagedFieldsEntry = {
    manager: 'kubectl-set',
    operation: 'Update',
    fieldsV1: {
      'f:spec': {
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { 'f:image': {} } } } },
      },
    },
  };
  const drift = driftOf(
    { ...deployment, metadata: { ...deployment.metadata, managedFields: [setImage] } },
    deployment,
  );
  assert.ok(drift);
  assert.equal(
    describeDrift(drift),
    'changed by kubectl-set (Update): spec.template.spec.containers',
  );
});

test('a deleted object, or one being deleted, has drifted', () => {
  assert.deepEqual(driftOf(undefined, desired), { kind: 'deleted' });
  const deleting = {
    ...desired,
    metadata: { ...desired.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
  };
  assert.equal(isDrifted(deleting, desired), true);
});

test('reads the fields kustodian holds from managedFields', () => {
  assert.deepEqual(paths(ownedFields(live(ours))), [
    'data.level',
    'data.mode',
    'metadata.labels.app.kubernetes.io/managed-by',
  ]);
});
