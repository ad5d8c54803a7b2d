import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type LastApplied, recordOf, unchangedLive } from '../../src/apply/applied.ts';
import type { KubeObject } from '../../src/kube/object.ts';

const sent: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
  spec: {
    replicas: 2,
    template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } },
  },
};

/** The server's answer to the write: defaults filled in, fields nobody sent. */
const written: KubeObject = {
  ...sent,
  metadata: { ...sent.metadata, uid: 'u1', resourceVersion: '10', generation: 1 },
  spec: {
    replicas: 2,
    strategy: { type: 'RollingUpdate' },
    template: {
      spec: { containers: [{ name: 'web', image: 'web:1', imagePullPolicy: 'IfNotPresent' }] },
    },
  },
};

const lastApplied = (live: KubeObject | undefined): LastApplied => ({
  memory: new Map([['apps/Deployment/shop/web', recordOf({ object: sent }, written)]]),
  live: { seen: () => live },
});
/** `live` as stored after a write: the server gives every write a new resourceVersion. */
const rewritten = (live: KubeObject): KubeObject => ({
  ...live,
  metadata: { ...live.metadata, resourceVersion: '23' },
});
const check = (live: KubeObject | undefined, object = sent) =>
  unchangedLive('apps/Deployment/shop/web', { object }, lastApplied(live));

describe('knowing an object unchanged since the last apply', () => {
  test('is unchanged when only status, annotations and fields it does not set moved on', () => {
    const later: KubeObject = {
      ...written,
      metadata: {
        ...written.metadata,
        resourceVersion: '17',
        annotations: { 'deployment.kubernetes.io/revision': '1' },
        labels: { app: 'web', 'added-by-hand': 'yes' },
      },
      spec: { ...(written.spec as object), revisionHistoryLimit: 10 },
      status: { readyReplicas: 2 },
    };
    assert.equal(check(later), later);
  });

  test('is changed when a value it sets was changed or removed, whoever did it', () => {
    const spec = written.spec as Record<string, unknown>;
    assert.equal(check(rewritten({ ...written, spec: { ...spec, replicas: 5 } })), undefined);
    const { replicas: _gone, ...withoutReplicas } = spec;
    assert.equal(check(rewritten({ ...written, spec: withoutReplicas })), undefined);
    const image = {
      ...spec,
      template: { spec: { containers: [{ name: 'web', image: 'web:2' }] } },
    };
    assert.equal(check(rewritten({ ...written, spec: image })), undefined);
  });

  test('is changed when the object to send differs, or nothing vouches for the live one', () => {
    const scaled = { ...sent, spec: { ...(sent.spec as object), replicas: 3 } };
    assert.equal(check(written, scaled), undefined);
    assert.equal(check(undefined), undefined);
    const deleting = {
      ...written,
      metadata: { ...written.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' },
    };
    assert.equal(check(deleting), undefined);
    assert.equal(
      unchangedLive('apps/Deployment/shop/other', { object: sent }, lastApplied(written)),
      undefined,
    );
  });

  test('takes the resourceVersion it was recorded at for the same stored object', () => {
    // Only a write changes what is stored, and every write gives a new resourceVersion: a copy
    // at the recorded one is not digested again (this one could never be stored so).
    const sameVersion = { ...written, spec: { replicas: 5 } };
    assert.equal(check(sameVersion), sameVersion);
    assert.equal(check(rewritten(sameVersion)), undefined);
  });

  test('keeps a record that says the same of the same stored object', () => {
    const record = recordOf({ object: sent }, written);
    assert.equal(recordOf({ object: sent }, written, record), record);
    assert.notEqual(recordOf({ object: sent }, rewritten(written), record), record);
    assert.deepEqual(recordOf({ object: sent }, rewritten(written), record), {
      ...record,
      resourceVersion: '23',
    });
  });

  test('does not depend on the order of keys', () => {
    const reordered: KubeObject = {
      spec: written.spec,
      metadata: { labels: { app: 'web' }, namespace: 'shop', name: 'web' },
      kind: 'Deployment',
      apiVersion: 'apps/v1',
    };
    assert.equal(check(reordered), reordered);
  });
});
