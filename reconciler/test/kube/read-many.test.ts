import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { managedBySelector } from '@kustodian/shared/apply/ownership';
import { localEnv } from '../../../test/env/for-tests.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { KubeObject, KubeRef } from '../../src/kube/object.ts';
import { readMany } from '../../src/kube/read-many.ts';
import { countsSince } from '../../src/kube/requests.ts';
import { testKube } from './support.ts';

const env = localEnv();

describe('reading many objects', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('read-many');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const configMap = (name: string, managed: boolean): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace: ns,
      ...(managed ? { labels: { 'app.kubernetes.io/managed-by': 'kustodian' } } : {}),
    },
    data: { name },
  });
  const ref = (kind: string, name: string): KubeRef => ({
    apiVersion: 'v1',
    kind,
    namespace: ns,
    name,
  });

  test('reads a kind in a namespace with one list, and one by one what the list left out', async () => {
    for (const name of ['a', 'b', 'c', 'd']) await kube.apply(configMap(name, true));
    await kube.apply(configMap('unlabelled', false));
    const refs = [
      ...['a', 'b', 'c', 'd', 'unlabelled', 'missing'].map((name) => ref('ConfigMap', name)),
      ref('Secret', 'alone'),
    ];
    const before = kube.requestCounts();
    const known = await readMany(refs, { kube, labelSelector: managedBySelector, concurrency: 4 });
    const made = countsSince(before, kube.requestCounts());
    assert.equal(made.list, 1, 'one list for the six ConfigMaps');
    assert.equal(made.get, 3, 'gets for the unlabelled, the missing and the lone Secret');
    assert.deepEqual([...known].map(([id, k]) => [id, k.live?.metadata.name]).sort(), [
      [`ConfigMap/${ns}/a`, 'a'],
      [`ConfigMap/${ns}/b`, 'b'],
      [`ConfigMap/${ns}/c`, 'c'],
      [`ConfigMap/${ns}/d`, 'd'],
      [`ConfigMap/${ns}/missing`, undefined],
      [`ConfigMap/${ns}/unlabelled`, 'unlabelled'],
      [`Secret/${ns}/alone`, undefined],
    ]);
    assert.deepEqual(known.get(`ConfigMap/${ns}/a`)?.live?.data, { name: 'a' });
  });

  test('leaves out what it could not read, so the caller reads it again', async () => {
    const known = await readMany(
      [{ apiVersion: 'example.invalid/v1', kind: 'Nothing', namespace: ns, name: 'x' }],
      { kube, labelSelector: managedBySelector, concurrency: 4 },
    );
    assert.equal(known.size, 0);
  });
});
