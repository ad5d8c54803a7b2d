import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedPaths, comparable } from '@kustodian/shared/apply/compare';
import { crdScopes } from '@kustodian/shared/apply/crd-scopes';
import { isOwnedBy, withOwnership } from '@kustodian/shared/apply/ownership';
import { parseObjectId } from '@kustodian/shared/manifests/object-id';
import { immutableFields } from '../../src/apply/immutable.ts';
import { planStages, stageOf } from '../../src/apply/stages.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import type { KubeObject } from '../../src/kube/object.ts';

const key = (id: string) => {
  const parsed = parseObjectId(id);
  assert.ok(parsed, id);
  return parsed;
};

test('orders a set by stage, then kind, then id, with webhooks last', () => {
  const ids = [
    'apps/Deployment/web/api',
    'admissionregistration.k8s.io/ValidatingWebhookConfiguration/guard',
    'example.com/Widget/web/w',
    'ConfigMap/web/settings',
    'networking.k8s.io/IngressClass/nginx',
    'Namespace/web',
    'apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com',
    'ServiceAccount/web/api',
    'rbac.authorization.k8s.io/ClusterRole/reader',
    'ConfigMap/web/another',
  ];
  const stages = planStages(ids.map((id) => ({ key: key(id), id })));
  assert.deepEqual(
    stages.map((group) => [group.stage, group.items.map((item) => item.id)]),
    [
      [
        'definitions',
        [
          'apiextensions.k8s.io/CustomResourceDefinition/widgets.example.com',
          'Namespace/web',
          'rbac.authorization.k8s.io/ClusterRole/reader',
        ],
      ],
      ['classes', ['networking.k8s.io/IngressClass/nginx']],
      [
        'resources',
        [
          'ServiceAccount/web/api',
          'ConfigMap/web/another',
          'ConfigMap/web/settings',
          'apps/Deployment/web/api',
          'example.com/Widget/web/w',
          'admissionregistration.k8s.io/ValidatingWebhookConfiguration/guard',
        ],
      ],
    ],
  );
});

test('puts every *Class kind in the classes stage, even a custom one', () => {
  assert.equal(stageOf({ group: 'gateway.networking.k8s.io', kind: 'GatewayClass' }), 'classes');
  assert.equal(stageOf({ group: 'scheduling.k8s.io', kind: 'PriorityClass' }), 'classes');
  assert.equal(stageOf({ group: 'example.com', kind: 'Namespace' }), 'resources');
});

const live: KubeObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'web',
    uid: 'u1',
    resourceVersion: '41',
    generation: 1,
    creationTimestamp: '2026-01-01T00:00:00Z',
    managedFields: [{ manager: 'kustodian', operation: 'Apply' }],
    labels: { app: 'web' },
  },
  data: { mode: 'fast', 'app.properties': 'a=1' },
};

test('sees no change when only server-managed metadata and status differ', () => {
  const merged = {
    ...live,
    metadata: { ...live.metadata, resourceVersion: '42', managedFields: [], generation: 2 },
    status: { anything: true },
  };
  assert.deepEqual(changedPaths(live, merged), []);
  assert.equal('status' in comparable(merged), false);
});

test('lists changed paths without their values', () => {
  const merged = {
    ...live,
    metadata: { ...live.metadata, labels: { app: 'web', tier: 'front' } },
    data: { mode: 'slow', 'app.properties': 'a=2', extra: 'x' },
  };
  assert.deepEqual(changedPaths(live, merged), [
    'data[app.properties]',
    'data.extra',
    'data.mode',
    'metadata.labels.tier',
  ]);
});

test('compares lists element by element and a length change as one path', () => {
  const a = { ...live, spec: { ports: [{ port: 80 }, { port: 443 }], args: ['a'] } };
  const b = { ...live, spec: { ports: [{ port: 80 }, { port: 8443 }], args: ['a', 'b'] } };
  assert.deepEqual(changedPaths(a, b), ['spec.args', 'spec.ports[1].port']);
});

test('reads the immutable field from the causes of a 422', () => {
  const error = new KubeApiError('dry-run apply', 'apps/Deployment/web/api', {
    httpStatus: 422,
    reason: 'Invalid',
    message:
      'Deployment.apps "api" is invalid: spec.selector: Invalid value: ...: field is immutable',
    causes: [
      {
        reason: 'FieldValueInvalid',
        message: 'Invalid value: ...: field is immutable',
        field: 'spec.selector',
      },
    ],
  });
  assert.equal(immutableFields(error), 'spec.selector');
});

test('reads the immutable field from the message when the server gives no causes', () => {
  const error = new KubeApiError('dry-run apply', 'Service/web/api', {
    httpStatus: 422,
    reason: 'Invalid',
    message:
      'Service "api" is invalid: spec.clusterIPs[0]: Invalid value: []string{"10.0.0.9"}: may not change once set; field is immutable',
    causes: [],
  });
  assert.equal(immutableFields(error), 'spec.clusterIPs[0]');
});

test('does not take other invalid objects or other errors for immutable ones', () => {
  const invalid = new KubeApiError('dry-run apply', 'ConfigMap/web/x', {
    httpStatus: 422,
    reason: 'Invalid',
    message: 'ConfigMap "x" is invalid: data[a/b]: Invalid value: "a/b": a valid config key ...',
    causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value', field: 'data[a/b]' }],
  });
  assert.equal(immutableFields(invalid), undefined);
  assert.equal(immutableFields(new Error('field is immutable')), undefined);
});

test('marks ownership with the managed-by label and the owner annotation, keeping the rest', () => {
  const marked = withOwnership(live, { namespace: 'apps', name: 'web' });
  assert.deepEqual(marked.metadata.labels, {
    app: 'web',
    'app.kubernetes.io/managed-by': 'kustodian',
  });
  assert.deepEqual(marked.metadata.annotations, { 'kustodian.dev/owner': 'apps/web' });
  assert.equal(isOwnedBy(marked, { namespace: 'apps', name: 'web' }), true);
  assert.equal(isOwnedBy(marked, { namespace: 'apps', name: 'other' }), false);
  assert.equal(live.metadata.annotations, undefined, 'the input is not changed');
});

test('learns the scope of kinds defined by CRDs in the same set', () => {
  const crd = (kind: string, scope: string): KubeObject => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${kind.toLowerCase()}s.example.com` },
    spec: { group: 'example.com', scope, names: { kind, plural: `${kind.toLowerCase()}s` } },
  });
  assert.deepEqual(
    [...crdScopes([crd('Widget', 'Namespaced'), crd('Realm', 'Cluster'), live])],
    [
      ['example.com/Widget', true],
      ['example.com/Realm', false],
    ],
  );
});
