import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareObjectKeys,
  groupOf,
  type ObjectKey,
  objectId,
  parseObjectId,
  refOf,
  versionOf,
} from '@kustodian/shared/manifests/object-id';

describe('object ids', () => {
  it('splits an apiVersion into group and version', () => {
    assert.equal(groupOf('apps/v1'), 'apps');
    assert.equal(groupOf('v1'), '');
    assert.equal(groupOf('rbac.authorization.k8s.io/v1'), 'rbac.authorization.k8s.io');
    assert.equal(versionOf('rbac.authorization.k8s.io/v1'), 'v1');
    assert.equal(versionOf('v1'), 'v1');
  });

  it('leaves out the core group and the namespace of cluster-scoped objects', () => {
    const cases: [Parameters<typeof refOf>[0], string][] = [
      [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'api', namespace: 'web' } },
        'apps/Deployment/web/api',
      ],
      [
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'web' } },
        'ConfigMap/web/settings',
      ],
      [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'web' } }, 'Namespace/web'],
      [
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: 'admin' },
        },
        'rbac.authorization.k8s.io/ClusterRole/admin',
      ],
      [
        { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: '' } },
        'Service/api',
      ],
    ];
    for (const [obj, id] of cases) assert.equal(objectId(refOf(obj)), id);
  });

  it('keeps the version in the reference but not in the id', () => {
    const ref = refOf({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'api', namespace: 'web' },
    });
    assert.deepEqual(ref, {
      group: 'autoscaling',
      version: 'v2',
      kind: 'HorizontalPodAutoscaler',
      namespace: 'web',
      name: 'api',
    });
    assert.equal(objectId(ref), 'autoscaling/HorizontalPodAutoscaler/web/api');
  });

  it('reads back every form it writes', () => {
    const keys: ObjectKey[] = [
      { group: 'apps', kind: 'Deployment', namespace: 'web', name: 'api' },
      { group: '', kind: 'ConfigMap', namespace: 'web', name: 'settings' },
      { group: '', kind: 'Namespace', name: 'web' },
      { group: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:controller:job' },
      { group: 'kustodian.dev', kind: 'Application', namespace: 'kustodian-system', name: 'web' },
    ];
    for (const key of keys) assert.deepEqual(parseObjectId(objectId(key)), key);
  });

  it('rejects text that is not an id', () => {
    for (const text of [
      '',
      'web',
      'Deployment',
      'apps/deployment/web/api',
      'apps/Deployment//api',
      'a/B/c/d/e',
      'apps/web/api',
      'Deployment/Web',
      'apps/Deployment/Web/api',
    ]) {
      assert.equal(parseObjectId(text), undefined, text);
    }
  });

  it('sorts by group, kind, namespace and name, cluster-scoped first', () => {
    const ids = [
      'apps/Deployment/web/api',
      'ConfigMap/web/settings',
      'Namespace/web',
      'ConfigMap/api/a',
      'apps/Deployment/api/web',
      'rbac.authorization.k8s.io/ClusterRole/admin',
      'ConfigMap/b',
    ];
    const sorted = ids
      .map((id) => parseObjectId(id)!)
      .sort(compareObjectKeys)
      .map(objectId);
    assert.deepEqual(sorted, [
      'ConfigMap/b',
      'ConfigMap/api/a',
      'ConfigMap/web/settings',
      'Namespace/web',
      'apps/Deployment/api/web',
      'apps/Deployment/web/api',
      'rbac.authorization.k8s.io/ClusterRole/admin',
    ]);
  });

  it('compares by code units, so uppercase sorts before lowercase whatever the locale', () => {
    const a = { group: '', kind: 'ConfigMap', namespace: 'web', name: 'Zeta' };
    const b = { group: '', kind: 'ConfigMap', namespace: 'web', name: 'alpha' };
    assert.equal(compareObjectKeys(a, b), -1);
    assert.equal(compareObjectKeys(b, a), 1);
    assert.equal(compareObjectKeys(a, { ...a }), 0);
  });
});
