import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { acceptedHeader, objectHeaderSchema } from '@kustodian/shared/manifests/schema';

const metadata = { name: 'web', namespace: 'prod', labels: { app: 'web' } };

describe('acceptedHeader', () => {
  it("gives zod's output for every object it accepts, field order included", () => {
    const objects: Record<string, unknown>[] = [
      { apiVersion: 'v1', kind: 'ConfigMap', metadata, data: { a: '1' } },
      { data: { a: '1' }, metadata: { labels: {}, name: 'a' }, kind: 'Secret', apiVersion: 'v1' },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { namespace: 'x', name: 'd' },
        spec: {},
      },
      {
        kind: 'Widget',
        apiVersion: 'example.com/v1alpha1',
        z: 1,
        metadata: { name: 'w', a: null },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a.b-c' }, status: [1, { x: 2 }] },
    ];
    for (const object of objects) {
      const zod = objectHeaderSchema.parse(object);
      const ours = acceptedHeader(object);
      assert.equal(JSON.stringify(ours), JSON.stringify(zod));
      assert.deepEqual(ours, zod);
      assert.notEqual(ours, object);
    }
  });

  it('leaves every object zod refuses, and every __proto__ field, to zod', () => {
    const refused: Record<string, unknown>[] = [
      { kind: 'ConfigMap', metadata },
      { apiVersion: 'V1', kind: 'ConfigMap', metadata },
      { apiVersion: 'v1', kind: 'configMap', metadata },
      { apiVersion: 'v1', kind: 'ConfigMap' },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: [] },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: '' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a/b' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'b%c' } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 1 } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 7 } },
    ];
    for (const object of refused) {
      assert.equal(objectHeaderSchema.safeParse(object).success, false, JSON.stringify(object));
      assert.equal(acceptedHeader(object), undefined, JSON.stringify(object));
    }
    const proto = JSON.parse(
      '{"apiVersion":"v1","kind":"A","metadata":{"name":"a"},"__proto__":{}}',
    );
    assert.equal(acceptedHeader(proto), undefined);
  });
});
