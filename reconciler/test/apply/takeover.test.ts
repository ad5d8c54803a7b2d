import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeOverPatch, unionFields } from '../../src/apply/takeover.ts';
import type { KubeObject, ManagedFieldsEntry } from '../../src/kube/object.ts';

const kubectl: ManagedFieldsEntry = {
  manager: 'kubectl-client-side-apply',
  operation: 'Update',
  apiVersion: 'v1',
  time: '2026-01-01T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: {
    'f:data': { '.': {}, 'f:a': {}, 'f:b': {} },
    'f:metadata': {
      'f:annotations': { '.': {}, 'f:kubectl.kubernetes.io/last-applied-configuration': {} },
    },
  },
};
const ours: ManagedFieldsEntry = {
  manager: 'kustodian',
  operation: 'Apply',
  apiVersion: 'v1',
  time: '2026-01-02T00:00:00Z',
  fieldsType: 'FieldsV1',
  fieldsV1: { 'f:data': { 'f:a': {} }, 'f:metadata': { 'f:labels': { 'f:team': {} } } },
};
const status: ManagedFieldsEntry = {
  manager: 'kubectl-client-side-apply',
  operation: 'Update',
  apiVersion: 'v1',
  subresource: 'status',
  fieldsV1: { 'f:status': {} },
};
const live = (...managedFields: ManagedFieldsEntry[]): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'settings', namespace: 'web', resourceVersion: '42', managedFields },
});

describe('taking over the fields of client-side apply', () => {
  it('moves them into our apply entry, on condition the object is unchanged', () => {
    assert.deepEqual(takeOverPatch(live(ours, kubectl, status), 'v1'), [
      { op: 'test', path: '/metadata/resourceVersion', value: '42' },
      {
        op: 'replace',
        path: '/metadata/managedFields',
        value: [
          {
            manager: 'kustodian',
            operation: 'Apply',
            apiVersion: 'v1',
            time: '2026-01-02T00:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: {
              'f:data': { 'f:a': {}, '.': {}, 'f:b': {} },
              'f:metadata': {
                'f:labels': { 'f:team': {} },
                'f:annotations': {
                  '.': {},
                  'f:kubectl.kubernetes.io/last-applied-configuration': {},
                },
              },
            },
          },
          status,
        ],
      },
    ]);
  });

  it('creates our entry when the object was only ever applied client-side', () => {
    const patch = takeOverPatch(live(kubectl), 'v1');
    const entries =
      patch?.[1] && 'value' in patch[1] ? (patch[1].value as ManagedFieldsEntry[]) : [];
    assert.deepEqual(
      entries.map((entry) => [entry.manager, entry.operation, entry.fieldsV1]),
      [['kustodian', 'Apply', kubectl.fieldsV1]],
    );
  });

  it('has nothing to do without client-side entries, or when their API version differs', () => {
    assert.equal(takeOverPatch(live(ours), 'v1'), undefined);
    assert.equal(takeOverPatch(live(ours, status), 'v1'), undefined);
    assert.equal(takeOverPatch(live({ ...kubectl, apiVersion: 'v2' }), 'v1'), undefined);
    const editedByHand = { ...kubectl, manager: 'kubectl-edit' };
    assert.equal(takeOverPatch(live(ours, editedByHand), 'v1'), undefined);
  });

  it('unites nested field sets without losing either side', () => {
    assert.deepEqual(
      unionFields(
        { 'f:spec': { 'f:replicas': {} } },
        { 'f:spec': { 'f:paused': {} }, 'f:data': {} },
      ),
      { 'f:spec': { 'f:replicas': {}, 'f:paused': {} }, 'f:data': {} },
    );
  });
});
