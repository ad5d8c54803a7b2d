import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { localEnv } from '../../../test/env/for-tests.ts';
import { applyAll } from '../../src/apply/apply.ts';
import { startDriftHub } from '../../src/drift/hub.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { type KubeObject, managedFieldsOf, metaString, stringMap } from '../../src/kube/object.ts';
import { countsSince, writesIn } from '../../src/kube/requests.ts';
import { eventually, requestTotal, testCrd, testKube, uniqueName } from '../kube/support.ts';

const env = localEnv();
const owner = { namespace: 'kustodian-system', name: 'apply-tests' };
const writeVerbs = new Set(['APPLY', 'PATCH', 'POST', 'PUT', 'DELETE']);

describe('applying sets with server-side apply', () => {
  let kube: KubeClient;
  let ns: string;
  const cleanup: { apiVersion: string; kind: string; name: string }[] = [];

  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('apply');
    cleanup.push({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });
  after(async () => {
    for (const ref of cleanup) await kube.delete(ref);
  });

  const configMap = (name: string, data: Record<string, string>): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data,
  });
  const options = () => ({ kube, owner, defaultNamespace: ns, pollIntervalMs: 200 });

  test('applies a CRD, a Namespace and their content in one set, then a resync writes nothing', async () => {
    const crd = testCrd();
    const stagedNs = uniqueName('apply-staged');
    cleanup.push({
      apiVersion: crd.crd.apiVersion,
      kind: crd.crd.kind,
      name: crd.crd.metadata.name,
    });
    cleanup.push({ apiVersion: 'v1', kind: 'Namespace', name: stagedNs });
    const set: KubeObject[] = [
      crd.widget(stagedNs, 'first', {
        size: '10%',
        port: 'http',
        config: { free: { form: [1, 2] } },
      }),
      {
        ...configMap('settings', { mode: 'fast' }),
        metadata: { name: 'settings', namespace: stagedNs },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: stagedNs } },
      crd.crd,
    ];
    const first = await applyAll(set, options());
    assert.deepEqual(
      first.entries.map((entry) => [entry.id, entry.outcome]),
      [
        [`apiextensions.k8s.io/CustomResourceDefinition/${crd.crd.metadata.name}`, 'created'],
        [`Namespace/${stagedNs}`, 'created'],
        [`ConfigMap/${stagedNs}/settings`, 'created'],
        [`${crd.group}/Widget/${stagedNs}/first`, 'created'],
      ],
      JSON.stringify(first.entries),
    );
    assert.equal(first.ok, true);
    const widget = await kube.get({
      apiVersion: crd.apiVersion,
      kind: 'Widget',
      namespace: stagedNs,
      name: 'first',
    });
    assert.deepEqual(widget?.spec, {
      size: '10%',
      port: 'http',
      config: { free: { form: [1, 2] } },
    });

    const clientBefore = kube.requestCounts();
    const writesBefore = await requestTotal(kube, {
      group: crd.group,
      dry_run: '',
      verb: (v) => writeVerbs.has(v),
    });
    const dryRunsBefore = await requestTotal(kube, { group: crd.group, dry_run: 'All' });
    const second = await applyAll(set, options());
    const clientDelta = countsSince(clientBefore, kube.requestCounts());
    assert.deepEqual(
      second.entries.map((entry) => entry.outcome),
      ['unchanged', 'unchanged', 'unchanged', 'unchanged'],
    );
    assert.equal(writesIn(clientDelta), 0, JSON.stringify(clientDelta));
    assert.equal(clientDelta.dryRunApply, 4);
    assert.equal(
      await requestTotal(kube, { group: crd.group, dry_run: '', verb: (v) => writeVerbs.has(v) }),
      writesBefore,
      'the API server saw a write of a custom resource',
    );
    assert.equal(await requestTotal(kube, { group: crd.group, dry_run: 'All' }), dryRunsBefore + 1);
  });

  test("waits for a stage's CRD through a feed of changes, and the set's custom resources follow", async () => {
    const crd = testCrd();
    cleanup.push({
      apiVersion: crd.crd.apiVersion,
      kind: crd.crd.kind,
      name: crd.crd.metadata.name,
    });
    const hub = startDriftHub({ kube });
    try {
      const before = kube.requestCounts();
      const result = await applyAll([crd.widget(ns, 'followed', { size: '1' }), crd.crd], {
        ...options(),
        changes: hub,
        // No poll comes within the test's time after the first read: the CRD's watch events
        // (or that first read) must show it Established.
        pollIntervalMs: 600_000,
      });
      assert.equal(result.ok, true, JSON.stringify(result.entries));
      assert.deepEqual(
        result.entries.map((entry) => entry.outcome),
        ['created', 'created'],
      );
      const made = countsSince(before, kube.requestCounts());
      assert.equal(made.watch, 1, `the CRDs were followed: ${JSON.stringify(made)}`);
    } finally {
      await hub.stop();
    }
  });

  test('reports a changed field as configured with its path and leaves the rest unchanged', async () => {
    const set = [configMap('one', { mode: 'fast' }), configMap('two', { level: '1' })];
    await applyAll(set, options());
    const changed = [configMap('one', { mode: 'slow' }), configMap('two', { level: '1' })];
    const result = await applyAll(changed, options());
    assert.deepEqual(result.entries, [
      { id: `ConfigMap/${ns}/one`, outcome: 'configured', diff: ['data.mode'] },
      { id: `ConfigMap/${ns}/two`, outcome: 'unchanged' },
    ]);
    const live = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'one',
    });
    assert.deepEqual(live?.data, { mode: 'slow' });
  });

  test('sets ownership marks and the default namespace on every object', async () => {
    const result = await applyAll([configMap('marked', { a: 'b' })], options());
    assert.equal(result.objects[0]?.metadata.namespace, ns);
    const live = await kube.get({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      namespace: ns,
      name: 'marked',
    });
    assert.ok(live);
    assert.equal(stringMap(live, 'labels')['app.kubernetes.io/managed-by'], 'kustodian');
    assert.equal(
      stringMap(live, 'annotations')['kustodian.dev/owner'],
      'kustodian-system/apply-tests',
    );
  });

  test('creates an object marked IfNotPresent once and then leaves it as it is', async () => {
    const once = (data: Record<string, string>): KubeObject => ({
      ...configMap('filled-by-hand', data),
      metadata: { name: 'filled-by-hand', annotations: { 'kustodian.dev/apply': 'IfNotPresent' } },
    });
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'filled-by-hand' };
    const first = await applyAll([once({ token: 'placeholder' })], options());
    assert.deepEqual(
      first.entries.map((entry) => entry.outcome),
      ['created'],
    );
    await kube.apply(
      { ...once({ token: 'the real one' }), metadata: { name: 'filled-by-hand', namespace: ns } },
      { force: true },
    );
    const before = kube.requestCounts();
    const second = await applyAll([once({ token: 'placeholder', added: 'later' })], options());
    assert.deepEqual(
      second.entries.map((entry) => entry.outcome),
      ['unchanged'],
    );
    assert.equal(writesIn(countsSince(before, kube.requestCounts())), 0);
    assert.deepEqual((await kube.get(ref))?.data, { token: 'the real one' });
  });

  test('refuses an unknown value of its per-object annotations, naming the object', async () => {
    const odd: KubeObject = {
      ...configMap('odd', { a: 'b' }),
      metadata: { name: 'odd', annotations: { 'kustodian.dev/prune': 'off' } },
    };
    const result = await applyAll([odd], options());
    assert.equal(result.ok, false);
    assert.equal(result.entries[0]?.outcome, 'failed');
    assert.match(
      result.entries[0]?.error ?? '',
      new RegExp(
        `ConfigMap/${ns}/odd.*kustodian\\.dev/prune: "off" is not one of enabled, disabled`,
      ),
    );
    assert.equal(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'odd' }),
      undefined,
    );
  });

  test('takes over what kubectl apply set, so a field removed from git is removed', async () => {
    const manifest = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: adopted\n  namespace: ${ns}\ndata:\n  a: "1"\n  b: "2"\n`;
    const cacheDir = await mkdtemp(join(tmpdir(), 'kubectl-cache-'));
    try {
      const applied = await execaRunner(
        'kubectl',
        ['--kubeconfig', env().kubeconfig, '--cache-dir', cacheDir, 'apply', '-f', '-'],
        { input: manifest },
      );
      assert.equal(applied.exitCode, 0, applied.stderr);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
    const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'adopted' };
    const managers = async () =>
      managedFieldsOf((await kube.get(ref)) as KubeObject).map(
        (e) => `${e.manager}/${e.operation}`,
      );
    assert.deepEqual(await managers(), ['kubectl-client-side-apply/Update']);

    const adopted = await applyAll([configMap('adopted', { a: '1', b: '2' })], options());
    assert.deepEqual(
      adopted.entries.map((entry) => entry.outcome),
      ['configured'],
    );
    assert.deepEqual(await managers(), ['kustodian/Apply']);

    const trimmed = await applyAll([configMap('adopted', { a: '1' })], options());
    assert.deepEqual(
      trimmed.entries.map((entry) => entry.outcome),
      ['configured'],
    );
    const live = (await kube.get(ref)) as KubeObject;
    assert.deepEqual(live.data, { a: '1' });
    assert.equal(
      stringMap(live, 'annotations')['kubectl.kubernetes.io/last-applied-configuration'],
      undefined,
    );

    const before = kube.requestCounts();
    const again = await applyAll([configMap('adopted', { a: '1' })], options());
    assert.deepEqual(
      again.entries.map((entry) => entry.outcome),
      ['unchanged'],
    );
    assert.equal(writesIn(countsSince(before, kube.requestCounts())), 0);
  });

  test('applies a Role and a binding to it in one set as an identity that may not bind', async () => {
    const rbac = 'rbac.authorization.k8s.io/v1';
    const account = uniqueName('deployer');
    await kube.apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: account, namespace: ns },
    });
    await kube.apply({
      apiVersion: rbac,
      kind: 'Role',
      metadata: { name: account, namespace: ns },
      rules: [
        {
          apiGroups: ['rbac.authorization.k8s.io'],
          resources: ['roles', 'rolebindings'],
          verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
        },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['get'] },
      ],
    });
    await kube.apply({
      apiVersion: rbac,
      kind: 'RoleBinding',
      metadata: { name: account, namespace: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: account },
      subjects: [{ kind: 'ServiceAccount', name: account, namespace: ns }],
    });
    const deployer = kube.impersonating({ namespace: ns, name: account });
    const set: KubeObject[] = [
      {
        apiVersion: rbac,
        kind: 'RoleBinding',
        metadata: { name: 'config-readers' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'config-reader' },
        subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: ns }],
      },
      {
        apiVersion: rbac,
        kind: 'Role',
        metadata: { name: 'config-reader' },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
      },
    ];
    // The authorizer may take a moment to see the new binding.
    let result = await applyAll(set, { ...options(), kube: deployer });
    for (let attempt = 0; !result.ok && attempt < 20; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      result = await applyAll(set, { ...options(), kube: deployer });
    }
    assert.deepEqual(
      result.entries.map((entry) => [entry.id, entry.outcome, entry.error]),
      [
        [`rbac.authorization.k8s.io/Role/${ns}/config-reader`, 'created', undefined],
        [`rbac.authorization.k8s.io/RoleBinding/${ns}/config-readers`, 'created', undefined],
      ],
    );
  });

  test('writes nothing at all when the set changes an existing object and a new one fails its dry run', async () => {
    await applyAll([configMap('valid-a', { a: '1' }), configMap('valid-b', { b: '2' })], options());
    const counting = testKube(env().kc);
    const set = [
      configMap('valid-a', { a: 'changed' }),
      configMap('invalid', { 'not/a/key': 'x' }),
      configMap('valid-b', { b: 'changed' }),
    ];
    const result = await applyAll(set, { ...options(), kube: counting });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.entries.map((entry) => [entry.id, entry.outcome]),
      [
        [`ConfigMap/${ns}/invalid`, 'failed'],
        [`ConfigMap/${ns}/valid-a`, 'skipped'],
        [`ConfigMap/${ns}/valid-b`, 'skipped'],
      ],
    );
    assert.match(
      result.entries[0]?.error ?? '',
      new RegExp(`^dry-run apply ConfigMap/${ns}/invalid: Invalid \\(422\\)`),
    );
    assert.equal(writesIn(counting.requestCounts()), 0);
    const data = async (name: string) =>
      (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name }))?.data;
    assert.deepEqual(await data('valid-a'), { a: '1' });
    assert.deepEqual(await data('valid-b'), { b: '2' });
    assert.equal(await data('invalid'), undefined);
  });

  test('creates new objects without a dry run, and a refused one stops every later stage', async () => {
    const counting = testKube(env().kc);
    const written: string[] = [];
    const set: KubeObject[] = [
      configMap('after-bad-role', { a: '1' }),
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'bad-role' },
        rules: [{ apiGroups: [''], resources: ['configmaps'] }],
      },
    ];
    const result = await applyAll(set, {
      ...options(),
      kube: counting,
      onWritten: (object) => written.push(object.metadata.name),
    });
    assert.equal(result.ok, false);
    assert.deepEqual(
      result.entries.map((entry) => [entry.id, entry.outcome, entry.error]),
      [
        [`rbac.authorization.k8s.io/Role/${ns}/bad-role`, 'failed', result.entries[0]?.error],
        [
          `ConfigMap/${ns}/after-bad-role`,
          'skipped',
          'not applied: an object of the roles stage failed',
        ],
      ],
    );
    assert.match(
      result.entries[0]?.error ?? '',
      new RegExp(
        `^apply rbac\\.authorization\\.k8s\\.io/Role/${ns}/bad-role: Invalid \\(422\\).*verbs`,
      ),
    );
    const made = counting.requestCounts();
    assert.equal(made.dryRunApply, 0, 'no dry run before creating what does not exist');
    assert.equal(made.apply, 1, 'only the Role was sent');
    assert.deepEqual(written, []);
    assert.equal(
      await kube.get({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: ns,
        name: 'after-bad-role',
      }),
      undefined,
    );
  });

  test('a first sync with a refused object writes only new objects, each reported as created', async () => {
    const written: string[] = [];
    const set = [
      configMap('first-a', { a: '1' }),
      configMap('first-invalid', { 'not/a/key': 'x' }),
      configMap('first-b', { b: '2' }),
    ];
    const result = await applyAll(set, {
      ...options(),
      onWritten: (object) => written.push(object.metadata.name),
    });
    assert.equal(result.ok, false);
    const failed = result.entries.filter((entry) => entry.outcome === 'failed');
    assert.deepEqual(
      failed.map((entry) => entry.id),
      [`ConfigMap/${ns}/first-invalid`],
    );
    assert.match(
      failed[0]?.error ?? '',
      new RegExp(`^apply ConfigMap/${ns}/first-invalid: Invalid`),
    );
    for (const entry of result.entries) {
      const name = entry.id.split('/').at(-1) ?? '';
      const live = await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name });
      assert.equal(live !== undefined, entry.outcome === 'created', JSON.stringify(entry));
      assert.equal(written.includes(name), entry.outcome === 'created', JSON.stringify(entry));
      assert.ok(['created', 'failed', 'skipped'].includes(entry.outcome), JSON.stringify(entry));
    }
  });

  test('fails an object whose kind the server does not serve, naming the kind', async () => {
    const result = await applyAll(
      [
        { apiVersion: 'nowhere.example.com/v1', kind: 'Ghost', metadata: { name: 'g' } },
        configMap('with-ghost', {}),
      ],
      options(),
    );
    assert.equal(result.entries[0]?.outcome, 'skipped');
    assert.equal(result.entries[1]?.outcome, 'failed');
    assert.match(
      result.entries[1]?.error ?? '',
      /^apply nowhere\.example\.com\/Ghost\/.*g: the server does not serve nowhere\.example\.com\/v1; is its CRD installed\?$/,
    );
    assert.equal(
      await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name: 'with-ghost' }),
      undefined,
    );
  });

  test('names the object and the immutable field, and recreates the object only with force', async () => {
    const deployment = (app: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app } },
        template: {
          metadata: { labels: { app } },
          spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
        },
      },
    });
    const id = `apps/Deployment/${ns}/web`;
    const ref = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' };
    await applyAll([deployment('web')], options());
    const original = metaString(
      (await kube.get(ref)) ?? { apiVersion: '', kind: '', metadata: { name: '' } },
      'uid',
    );

    const refused = await applyAll([deployment('web-v2')], options());
    assert.equal(refused.entries[0]?.outcome, 'failed');
    assert.match(
      refused.entries[0]?.error ?? '',
      new RegExp(
        `^apply ${id}: field is immutable: spec\\.selector \\(enable force to delete and recreate the object\\)$`,
      ),
    );
    assert.equal(metaString((await kube.get(ref)) ?? refused.objects[0]!, 'uid'), original);

    const forced = await applyAll([deployment('web-v2')], { ...options(), force: true });
    assert.deepEqual(forced.entries, [{ id, outcome: 'created', recreated: true }]);
    const recreated = await eventually(() => kube.get(ref), 'the recreated Deployment');
    assert.notEqual(metaString(recreated, 'uid'), original);
    assert.deepEqual((recreated.spec as { selector: unknown }).selector, {
      matchLabels: { app: 'web-v2' },
    });
  });

  test('reads nothing in a namespace the set creates, and creates its objects without dry runs', async () => {
    const fresh = uniqueName('apply-fresh');
    cleanup.push({ apiVersion: 'v1', kind: 'Namespace', name: fresh });
    const inFresh = (name: string): KubeObject => ({
      ...configMap(name, { name }),
      metadata: { name, namespace: fresh },
    });
    const set = [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: fresh } },
      ...['a', 'b', 'c', 'd'].map(inFresh),
    ];
    const before = kube.requestCounts();
    const result = await applyAll(set, options());
    const made = countsSince(before, kube.requestCounts());
    assert.equal(result.ok, true, JSON.stringify(result.entries));
    assert.deepEqual(
      result.entries.map((entry) => entry.outcome),
      ['created', 'created', 'created', 'created', 'created'],
    );
    assert.equal(made.dryRunApply, 0, 'nothing that does not exist yet is dry-run');
    assert.equal(made.apply, 5, 'one request per object');
    assert.ok(made.get + made.list <= 2, `only the Namespace is read: ${JSON.stringify(made)}`);
    assert.deepEqual(
      [...result.observed.keys()].sort(),
      [
        `ConfigMap/${fresh}/a`,
        `ConfigMap/${fresh}/b`,
        `ConfigMap/${fresh}/c`,
        `ConfigMap/${fresh}/d`,
        `Namespace/${fresh}`,
      ],
      'the answer to every write is kept for the health check',
    );
  });

  test('reads a resync of many objects of a kind with one list instead of a get each', async () => {
    const set = ['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => configMap(name, { name }));
    await applyAll(set, options());
    const before = kube.requestCounts();
    const result = await applyAll(set, options());
    const made = countsSince(before, kube.requestCounts());
    assert.deepEqual(new Set(result.entries.map((entry) => entry.outcome)), new Set(['unchanged']));
    assert.equal(made.list, 1);
    assert.equal(made.get, 0);
    assert.equal(made.dryRunApply, 5);
    assert.equal(writesIn(made), 0);
    assert.equal(result.observed.get(`ConfigMap/${ns}/r3`)?.metadata.name, 'r3');
  });
});
