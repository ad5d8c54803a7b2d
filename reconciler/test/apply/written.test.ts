/**
 * What an apply tells of its writes as they happen, so that an apply that fails or is aborted
 * half-way still says what it left in the cluster.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { applyAll } from '../../src/apply/apply.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import type { Kube } from '../../src/kube/kube.ts';
import { idOf, type KubeObject } from '../../src/kube/object.ts';
import { testKube } from '../kube/support.ts';

const env = localEnv();
const owner = { namespace: 'kustodian-system', name: 'written-tests' };

describe('an apply telling what it wrote', () => {
  let kube: KubeClient;
  let ns: string;

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('written');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  const configMap = (name: string, value: string): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data: { value },
  });

  test('tells each object it created or configured, and none it left unchanged', async () => {
    const told: string[] = [];
    const options = {
      kube,
      owner,
      defaultNamespace: ns,
      onWritten: (o: KubeObject) => told.push(idOf(o)),
    };
    const first = await applyAll([configMap('a', '1'), configMap('b', '1')], options);
    assert.equal(first.ok, true);
    assert.deepEqual(told.sort(), [`ConfigMap/${ns}/a`, `ConfigMap/${ns}/b`]);
    told.length = 0;
    const second = await applyAll([configMap('a', '2'), configMap('b', '1')], options);
    assert.deepEqual(
      second.entries.map((entry) => entry.outcome),
      ['configured', 'unchanged'],
    );
    assert.deepEqual(told, [`ConfigMap/${ns}/a`]);
  });

  test('tells an object whose write the abort cut short, since the server may have stored it', async () => {
    const abort = new AbortController();
    // The server stores the write, and the abort comes before its answer is read.
    const cutShort: Kube = {
      ...kube,
      apply: async (obj, options) => {
        const stored = await kube.apply(obj, options);
        if (options?.dryRun) return stored;
        const reason = new Error('superseded: a push arrived');
        abort.abort(reason);
        throw reason;
      },
    };
    const told: string[] = [];
    await assert.rejects(
      applyAll([configMap('in-flight', '1')], {
        kube: cutShort,
        owner,
        defaultNamespace: ns,
        signal: abort.signal,
        onWritten: (o) => told.push(idOf(o)),
      }),
      /superseded/,
    );
    assert.deepEqual(told, [`ConfigMap/${ns}/in-flight`]);
    assert.ok(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'in-flight' }),
    );
  });
});
