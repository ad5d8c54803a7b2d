import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { createKube, type KubeClient } from '../../src/kube/client.ts';
import { UnknownKindError } from '../../src/kube/discovery.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import type { WatchEvent } from '../../src/kube/kube.ts';
import { type KubeObject, managedFieldsOf, metaString } from '../../src/kube/object.ts';
import { writesIn } from '../../src/kube/requests.ts';
import { eventually, testCrd, testKube, uniqueName } from './support.ts';

const env = localEnv();
let kube: KubeClient;
let ns: string;
const crd = testCrd();

describe('the Kube client against a real API server', () => {
  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('kube-client');
  });

  after(async () => {
    await kube.delete(refOfCrd());
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  function refOfCrd() {
    return { apiVersion: crd.crd.apiVersion, kind: crd.crd.kind, name: crd.crd.metadata.name };
  }

  function configMap(name: string, data: Record<string, string>, namespace = ns): KubeObject {
    return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
  }

  test('server-side applies a ConfigMap as the kustodian field manager and reads it back', async () => {
    const applied = await kube.apply(configMap('settings', { mode: 'fast', 'level.txt': '3' }));
    const live = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'settings',
    });
    assert.ok(live);
    assert.deepEqual(live.data, { mode: 'fast', 'level.txt': '3' });
    assert.equal(metaString(live, 'uid'), metaString(applied, 'uid'));
    const managers = managedFieldsOf(live).map((entry) => `${entry.manager}/${entry.operation}`);
    assert.deepEqual(managers, ['kustodian/Apply']);
  });

  test('keeps unknown fields and int-or-string values of a custom resource field by field', async () => {
    // Discovery does not know the kind yet; after the CRD is established, one fresh read finds it.
    await assert.rejects(kube.resourceFor(crd.apiVersion, 'Widget'), UnknownKindError);
    await kube.apply(crd.crd);
    await eventually(async () => {
      const live = await kube.get(refOfCrd());
      const conditions = (live?.status as { conditions?: { type: string; status: string }[] })
        ?.conditions;
      return conditions?.some((c) => c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    }, 'the CRD to be established');
    const info = await eventually(
      () => kube.resourceFor(crd.apiVersion, 'Widget').catch(() => undefined),
      'discovery to serve Widget',
    );
    assert.deepEqual(
      { plural: info.plural, namespaced: info.namespaced },
      { plural: 'widgets', namespaced: true },
    );

    const spec = {
      size: '50%',
      port: 8080,
      replicas: 2,
      config: {
        nested: { list: [1, 'two', { three: true }], empty: {} },
        flag: false,
        ratio: 0.25,
      },
    };
    await kube.apply(crd.widget(ns, 'first', spec));
    const live = await kube.get({
      apiVersion: crd.apiVersion,
      kind: 'Widget',
      namespace: ns,
      name: 'first',
    });
    const got = live?.spec as typeof spec;
    assert.equal(got.size, '50%');
    assert.equal(got.port, 8080);
    assert.equal(got.replicas, 2);
    assert.deepEqual(got.config.nested.list, [1, 'two', { three: true }]);
    assert.deepEqual(got.config.nested.empty, {});
    assert.equal(got.config.flag, false);
    assert.equal(got.config.ratio, 0.25);
  });

  test('a refused request names the step, the object, the HTTP status and the server reason', async () => {
    const error = await kube.apply(configMap('bad', { 'not/valid': 'x' }), { dryRun: true }).then(
      () => assert.fail('the server accepted an invalid key'),
      (thrown: unknown) => thrown,
    );
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.httpStatus, 422);
    assert.equal(error.reason, 'Invalid');
    assert.equal(error.objectId, `ConfigMap/${ns}/bad`);
    assert.equal(error.causes[0]?.field, 'data[not/valid]');
    assert.match(
      error.message,
      new RegExp(`^dry-run apply ConfigMap/${ns}/bad: Invalid \\(422\\): `),
    );
  });

  test('delete honours a uid precondition and reports a missing object as notFound', async () => {
    const applied = await kube.apply(configMap('doomed', { a: 'b' }));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'doomed' };
    await assert.rejects(kube.delete(ref, { uid: 'not-the-uid' }), (thrown) => {
      assert.ok(thrown instanceof KubeApiError);
      assert.equal(thrown.httpStatus, 409);
      return true;
    });
    assert.equal(await kube.delete(ref, { uid: metaString(applied, 'uid') ?? '' }), 'deleted');
    assert.equal(await kube.get(ref), undefined);
    assert.equal(await kube.delete(ref), 'notFound');
  });

  test('a JSON patch applies only while its tests hold, and never creates an object', async () => {
    await kube.apply(configMap('patched', { a: 'b' }));
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'patched' };
    const added = await kube.patch(ref, [
      { op: 'add', path: '/metadata/finalizers', value: ['example.com/hold'] },
    ]);
    assert.deepEqual(added?.metadata.finalizers, ['example.com/hold']);
    const error = await kube
      .patch(ref, [
        { op: 'test', path: '/metadata/finalizers', value: ['example.com/other'] },
        { op: 'replace', path: '/metadata/finalizers', value: [] },
      ])
      .then(
        () => assert.fail('the server applied a patch whose test failed'),
        (thrown: unknown) => thrown,
      );
    assert.ok(error instanceof KubeApiError);
    assert.equal(error.httpStatus, 422);
    assert.match(error.message, new RegExp(`^patch ConfigMap/${ns}/patched: `));
    assert.deepEqual((await kube.get(ref))?.metadata.finalizers, ['example.com/hold']);
    await kube.patch(ref, [
      { op: 'test', path: '/metadata/finalizers', value: ['example.com/hold'] },
      { op: 'replace', path: '/metadata/finalizers', value: [] },
    ]);
    assert.equal(await kube.delete(ref), 'deleted');
    assert.equal(await kube.get(ref), undefined);
    const missing = { ...ref, name: 'never-made' };
    assert.equal(await kube.patch(missing, [{ op: 'add', path: '/data', value: {} }]), undefined);
    assert.equal(await kube.get(missing), undefined);
  });

  test('lists objects by label selector across namespaces with their kind filled in', async () => {
    const other = await env().createNamespace('kube-list');
    const label = uniqueName('sel');
    const labelled = (name: string, namespace: string): KubeObject => ({
      ...configMap(name, {}, namespace),
      metadata: { name, namespace, labels: { 'test.kustodian.dev/set': label } },
    });
    await kube.apply(labelled('one', ns));
    await kube.apply(labelled('two', other));
    await kube.apply(configMap('unlabelled', {}, other));
    const { items, resourceVersion } = await kube.list('v1', 'ConfigMap', {
      labelSelector: `test.kustodian.dev/set=${label}`,
    });
    assert.deepEqual(
      items.map((item) => `${item.kind}/${item.metadata.namespace}/${item.metadata.name}`).sort(),
      [`ConfigMap/${ns}/one`, `ConfigMap/${other}/two`].sort(),
    );
    assert.match(resourceVersion, /^\d+$/);
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: other });
  });

  test('a watch reports changes after a list and stops quietly when aborted', async () => {
    const label = uniqueName('watch');
    const labels = { 'test.kustodian.dev/set': label };
    const { resourceVersion } = await kube.list('v1', 'ConfigMap', {
      labelSelector: `test.kustodian.dev/set=${label}`,
    });
    const controller = new AbortController();
    const seen: WatchEvent[] = [];
    const watching = (async () => {
      for await (const event of kube.watch('v1', 'ConfigMap', {
        labelSelector: `test.kustodian.dev/set=${label}`,
        resourceVersion,
        signal: controller.signal,
      })) {
        seen.push(event);
        if (seen.length === 3) controller.abort();
      }
    })();
    const watched = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'watched', namespace: ns, labels },
    };
    await kube.apply({ ...watched, data: { a: '1' } });
    await kube.apply({ ...watched, data: { a: '2' } });
    await kube.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'watched' });
    await watching;
    assert.deepEqual(
      seen.map((event) => [event.type, event.object.kind, event.object.metadata.name]),
      [
        ['ADDED', 'ConfigMap', 'watched'],
        ['MODIFIED', 'ConfigMap', 'watched'],
        ['DELETED', 'ConfigMap', 'watched'],
      ],
    );
  });

  test('a service account without RBAC is refused with 403 naming the account', async () => {
    const account = { namespace: ns, name: 'no-rights' };
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: account.name, namespace: ns },
    });
    const limited = kube.impersonating(account);
    assert.equal(limited.user, `system:serviceaccount:${ns}:no-rights`);
    await assert.rejects(limited.apply(configMap('as-account', { a: 'b' })), (thrown) => {
      assert.ok(thrown instanceof KubeApiError);
      assert.equal(thrown.httpStatus, 403);
      assert.equal(thrown.reason, 'Forbidden');
      assert.match(
        thrown.message,
        new RegExp(`^apply ConfigMap/${ns}/as-account: Forbidden \\(403\\): `),
      );
      assert.match(
        thrown.message,
        new RegExp(`User "system:serviceaccount:${ns}:no-rights" cannot patch`),
      );
      return true;
    });
    assert.equal(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'as-account' }),
      undefined,
    );
  });

  test('counts requests by verb and keeps dry runs apart from writes', async () => {
    const counting = testKube(env().kc);
    await counting.apply(configMap('counted', { a: '1' }), { dryRun: true });
    await counting.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'counted' });
    const before = counting.requestCounts();
    assert.equal(before.dryRunApply, 1);
    assert.equal(before.get, 1);
    assert.equal(writesIn(before), 0);
    await counting.apply(configMap('counted', { a: '1' }));
    await counting.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'counted' });
    assert.equal(writesIn(counting.requestCounts()), 2);
  });

  test('tells an observer the verb and HTTP status of every request', async () => {
    const seen: string[] = [];
    const direct = createKube(env().kc, {
      onRequest: (verb, status) => seen.push(`${verb} ${status}`),
    });
    await direct.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'absent' });
    // The impersonating client shares the observer and the discovery cache (no second discover).
    const limited = direct.impersonating({ namespace: ns, name: 'nobody' });
    await assert.rejects(
      limited.delete({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'absent' }),
    );
    assert.deepEqual(seen, ['discover 200', 'get 404', 'delete 403']);
  });
});
