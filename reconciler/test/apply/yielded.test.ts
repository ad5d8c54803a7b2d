/**
 * Fields other controllers own by design, from YAML fixtures: each file in `testdata/yielded`
 * holds the object as git has it, then the object as it is applied.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { PreparedObject } from '../../src/apply/outcomes.ts';
import {
  markAutoscaled,
  withoutYieldedFields,
  withReplicasLeftToAutoscaler,
} from '../../src/apply/yielded.ts';
import type { KubeObject } from '../../src/kube/object.ts';

const dir = join(import.meta.dirname, 'testdata', 'yielded');

for (const file of readdirSync(dir).sort()) {
  test(`${file.replace(/\.yaml$/, '').replaceAll('-', ' ')}: applied as its fixture says`, () => {
    const [inGit, applied] = parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map(
      (doc) => doc.toJS() as KubeObject,
    );
    assert.ok(inGit && applied, `${file} holds two documents`);
    assert.deepEqual(withoutYieldedFields(inGit), applied);
  });
}

test('an object of a kind with nothing to yield is returned as it is', () => {
  const configMap: KubeObject = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings' },
    data: { caBundle: '' },
  };
  assert.equal(withoutYieldedFields(configMap), configMap);
});

describe('the replicas of a workload its autoscaler scales', () => {
  const web: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { replicas: 2, template: {} },
  };
  const live = (manager: string, subresource?: string): KubeObject => ({
    ...web,
    metadata: {
      ...web.metadata,
      managedFields: [
        { manager: 'kustodian', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:template': {} } } },
        {
          manager,
          operation: 'Update',
          fieldsV1: { 'f:spec': { 'f:replicas': {} } },
          ...(subresource ? { subresource } : {}),
        },
      ],
    },
  });

  test('are left out once another manager holds them', () => {
    assert.deepEqual(withReplicasLeftToAutoscaler(web, live('kube-controller-manager', 'scale')), {
      ...web,
      spec: { template: {} },
    });
  });

  test('are applied while the reconciler still holds them (leaving them out would reset them to 1)', () => {
    assert.equal(withReplicasLeftToAutoscaler(web, live('kustodian')), web);
  });

  test('mark the HorizontalPodAutoscaler target of the same namespace only', () => {
    const item = (object: KubeObject): PreparedObject => ({
      id: object.metadata.name,
      key: {
        group: object.apiVersion.includes('/') ? (object.apiVersion.split('/')[0] ?? '') : '',
        kind: object.kind,
        name: object.metadata.name,
        ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}),
      },
      object,
      definedInSet: false,
    });
    const hpa: KubeObject = {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' } },
    };
    const other = { ...web, metadata: { name: 'web', namespace: 'other' } };
    const prepared = [item(web), item(other), item(hpa)];
    markAutoscaled(prepared);
    assert.deepEqual(
      prepared.map((p) => p.autoscaled ?? false),
      [true, false, false],
    );
  });
});

test('with an empty table passed in, an aggregated ClusterRole keeps its rules', () => {
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'monitoring' },
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { aggregate: 'true' } }] },
    rules: [],
  };
  assert.equal('rules' in withoutYieldedFields(role), false);
  assert.deepEqual(withoutYieldedFields(role, new Map()), role);
});
