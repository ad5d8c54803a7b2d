/**
 * An apply that fails after it wrote something, on the real API server: a first sync creates a
 * Namespace and a Secret in it, the Namespace is written, the Secret is refused. What
 * was written is in the inventory all the same, so removing it from git prunes it and deleting
 * the Application deletes it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { uniqueName } from '../kube/support.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();

/** A Namespace and a Secret in it. */
const shop = (name: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: ${name}
---
apiVersion: v1
kind: Secret
metadata:
  name: db
  namespace: ${name}
stringData:
  password: not-really
`;

describe('an apply refused after it wrote a Namespace', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const clusterRbac = uniqueName('partial-apply');
  const namespaceNamed = (name: string) =>
    kube().get({ apiVersion: 'v1', kind: 'Namespace', name });
  const goneOrGoing = (name: string) =>
    waitFor(
      `Namespace ${name} to be deleted`,
      async () => {
        const live = await namespaceNamed(name);
        return live === undefined || typeof live.metadata.deletionTimestamp === 'string';
      },
      { timeoutMs: 60_000, intervalMs: 200 },
    );

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('partial');
    // The service account may manage Namespaces, and ConfigMaps in its own namespace, but
    // not Secrets anywhere.
    const rbac: KubeObject[] = [
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'deployer', namespace } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: clusterRbac },
        rules: [{ apiGroups: [''], resources: ['namespaces'], verbs: ['*'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: clusterRbac },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: clusterRbac },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'deployer', namespace },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['*'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'deployer', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'deployer' },
        subjects: [{ kind: 'ServiceAccount', name: 'deployer', namespace }],
      },
    ];
    for (const object of rbac) await kube().apply(object);
    const deployer = kube().impersonating({ namespace, name: 'deployer' });
    // The API server's authorizer sees new bindings a moment after they are stored.
    await waitFor('the service account to be allowed to read Namespaces', async () =>
      Boolean(await deployer.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace })),
    );
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    const rbac = 'rbac.authorization.k8s.io/v1';
    await kube().delete({ apiVersion: rbac, kind: 'ClusterRoleBinding', name: clusterRbac });
    await kube().delete({ apiVersion: rbac, kind: 'ClusterRole', name: clusterRbac });
  });

  /** An Application whose first sync writes the Namespace `shopName` and fails on its Secret. */
  const failedFirstSync = async (app: string, shopName: string) => {
    const repo = await git.repo(`team/${app}`);
    await repo.commit({ 'app/shop.yaml': shop(shopName) }, 'a shop');
    await createApplication(
      kube(),
      namespace,
      app,
      { source: { url: repo.url, path: 'app' }, serviceAccountName: 'deployer' },
      { username: git.username, password: git.password },
    );
    const failed = await waitForApplication(
      kube(),
      namespace,
      app,
      'ApplyFailed',
      (a) => readyOf(a)?.reason === 'ApplyFailed',
    );
    assert.match(
      readyOf(failed)?.message ?? '',
      new RegExp(`^1 object\\(s\\) failed: Secret/${shopName}/db: .*forbidden`, 'i'),
    );
    assert.ok(await namespaceNamed(shopName), 'the Namespace was written');
    assert.deepEqual(
      failed.status?.inventory?.entries,
      [{ id: `Namespace/${shopName}`, version: 'v1' }],
      'what was written is in the inventory',
    );
    return repo;
  };

  test('removing the Namespace from git prunes it', async () => {
    const shopName = uniqueName('shop');
    const repo = await failedFirstSync('removed', shopName);
    await repo.commit(
      { 'app/shop.yaml': null, 'app/settings.yaml': configMap('settings', { a: '1' }) },
      'no shop after all',
    );
    const ready = await waitUntilReady(kube(), namespace, 'removed');
    assert.deepEqual(
      ready.status?.inventory?.entries.map((entry) => entry.id),
      [`ConfigMap/${namespace}/settings`],
    );
    await goneOrGoing(shopName);
  });

  test('deleting the Application deletes the Namespace', async () => {
    const shopName = uniqueName('shop');
    await failedFirstSync('deleted', shopName);
    await kube().delete({
      apiVersion: 'kustodian.dev/v1alpha1',
      kind: 'Application',
      namespace,
      name: 'deleted',
    });
    await goneOrGoing(shopName);
    await waitFor(
      'the Application to be gone',
      async () =>
        !(await kube().get({
          apiVersion: 'kustodian.dev/v1alpha1',
          kind: 'Application',
          namespace,
          name: 'deleted',
        })),
      { timeoutMs: 60_000, intervalMs: 200 },
    );
  });
});
