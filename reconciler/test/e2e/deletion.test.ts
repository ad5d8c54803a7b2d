/**
 * Deleting an Application on the real API server: its finalizer holds it until the objects it
 * applied are deleted (or left, as its deletion policy says), and a delete it may not make
 * keeps it, saying why, until it may.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { finalizerName } from '../../src/controller/finalize.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();

describe('deleting an Application', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const credentials = () => ({ username: git.username, password: git.password });
  const applicationRef = (name: string) => ({
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    namespace,
    name,
  });
  const configMapNamed = (name: string) =>
    kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
  const eventReasons = async (name: string): Promise<string[]> => {
    const events = await kube().list('v1', 'Event', { namespace });
    return events.items
      .filter((event) => (event.involvedObject as { name?: string } | undefined)?.name === name)
      .map((event) => String(event.reason));
  };
  const syncedApplication = async (name: string, spec: Record<string, unknown>) => {
    await createApplication(kube(), namespace, name, spec, credentials());
    return waitUntilReady(kube(), namespace, name);
  };
  const gone = (name: string) =>
    waitFor(
      `Application ${name} to be gone`,
      async () => !(await kube().get(applicationRef(name))),
      {
        timeoutMs: 60_000,
        intervalMs: 200,
      },
    );

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('deletion');
    repo = await git.repo('team/deletion');
    await repo.commit(
      {
        'one/a.yaml': configMap('one-a', { n: '1' }),
        'one/b.yaml': configMap('one-b', { n: '2' }),
        'two/c.yaml': configMap('two-c', { n: '3' }),
        'three/d.yaml': configMap('three-d', { n: '4' }),
        'four/e.yaml': configMap('four-e', { n: '5' }),
      },
      'three apps',
    );
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('deletes the objects it applied, leaves the others, and then lets it go', async () => {
    const app = await syncedApplication('one', { source: { url: repo.url, path: 'one' } });
    assert.ok(
      (app.metadata.finalizers as string[] | undefined)?.includes(finalizerName),
      'the finalizer was added',
    );
    await kube().apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'foreign', namespace },
      data: { owner: 'someone else' },
    });
    assert.ok(await configMapNamed('one-a'));

    await kube().delete(applicationRef('one'));
    await gone('one');

    assert.equal(await configMapNamed('one-a'), undefined);
    assert.equal(await configMapNamed('one-b'), undefined);
    assert.ok(await configMapNamed('foreign'), 'an object it does not own stays');
    assert.ok((await eventReasons('one')).includes('ObjectsDeleted'));
  });

  test('leaves its objects in place when its deletion policy is Orphan', async () => {
    await syncedApplication('two', {
      source: { url: repo.url, path: 'two' },
      deletionPolicy: 'Orphan',
    });
    await kube().delete(applicationRef('two'));
    await gone('two');
    const left = (await configMapNamed('two-c')) as KubeObject | undefined;
    assert.ok(left, 'the object stays');
    assert.deepEqual(left.data, { n: '3' });
    assert.ok((await eventReasons('two')).includes('ObjectsOrphaned'));
  });

  test('stays, saying why, while its service account may not delete, and goes once it may', async () => {
    const role = (verbs: string[]): KubeObject => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'deployer', namespace },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs }],
    });
    const applyVerbs = ['get', 'list', 'watch', 'create', 'update', 'patch'];
    await kube().apply({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'deployer', namespace },
    });
    await kube().apply(role(applyVerbs));
    await kube().apply({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'deployer', namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
      subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace }],
    });
    await syncedApplication('three', {
      source: { url: repo.url, path: 'three' },
      serviceAccountName: 'deployer',
    });

    await kube().delete(applicationRef('three'));
    const held = await waitForApplication(
      kube(),
      namespace,
      'three',
      'PruneFailed while deleting',
      (a) => readyOf(a)?.reason === 'PruneFailed',
      60_000,
    );
    assert.equal(typeof held.metadata.deletionTimestamp, 'string');
    assert.match(
      readyOf(held)?.message ?? '',
      /could not delete ConfigMap\/[^/]+\/three-d: .*forbidden/i,
    );
    assert.ok(await configMapNamed('three-d'), 'nothing was deleted');

    await kube().apply(role([...applyVerbs, 'delete']));
    // The authorizer sees the new rule a moment after it is stored.
    await waitFor(
      'the reconciler to finish deleting',
      async () => {
        if (!(await kube().get(applicationRef('three')))) return true;
        running.reconciler.controller()?.refresh(`${namespace}/three`, 'the role changed');
        return !(await kube().get(applicationRef('three')));
      },
      { timeoutMs: 60_000, intervalMs: 1000 },
    );
    assert.equal(await configMapNamed('three-d'), undefined);
  });

  test('does not keep its namespace terminating when the namespace is deleted with it', async () => {
    // A namespace of its own, where its service account may apply but not delete: the
    // namespace controller deletes what is in it, not the Application's prune.
    const own = await env().createNamespace('deletion-ns');
    const inOwn = (obj: KubeObject): KubeObject => ({
      ...obj,
      metadata: { ...obj.metadata, namespace: own },
    });
    await kube().apply(
      inOwn({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer' } }),
    );
    await kube().apply(
      inOwn({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'deployer' },
        rules: [
          {
            apiGroups: [''],
            resources: ['configmaps'],
            verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
          },
        ],
      }),
    );
    await kube().apply(
      inOwn({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'deployer' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace: own }],
      }),
    );
    const elsewhere = await startTestReconciler(env(), own);
    try {
      await createApplication(
        kube(),
        own,
        'four',
        { source: { url: repo.url, path: 'four' }, serviceAccountName: 'deployer' },
        credentials(),
      );
      const app = await waitUntilReady(kube(), own, 'four');
      assert.ok((app.metadata.finalizers as string[] | undefined)?.includes(finalizerName));
      await kube().delete({ apiVersion: 'v1', kind: 'Namespace', name: own });
      await waitFor(
        `namespace ${own} to be gone`,
        async () => !(await kube().get({ apiVersion: 'v1', kind: 'Namespace', name: own })),
        { timeoutMs: 90_000, intervalMs: 500 },
      );
    } finally {
      await elsewhere.stop();
    }
  });
});
