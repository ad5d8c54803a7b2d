/**
 * Who applies an Application without `serviceAccountName`, on the real API server with the
 * install base's own RBAC: the reconciler runs as the `kustodian` service account (a token of
 * it, as in the cluster) and applies as `kustodian-applier`, so Kubernetes' RBAC escalation
 * check weighs a Role from git against kustodian-apply alone, not against the reconciler's right
 * to read Secrets and impersonate service accounts.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { localEnv, type TestEnv } from '../../../test/env/for-tests.ts';
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
const run = promisify(execFile);
const deployDir = resolve(import.meta.dirname, '../../deploy');
const systemNamespace = 'kustodian-system';

/** The install base's namespace, service accounts and RBAC, applied as they ship. */
async function installAccounts(e: TestEnv): Promise<void> {
  const built = await run(e.kustomize, ['build', deployDir]);
  const objects = parseAllDocuments(built.stdout).map((doc) => doc.toJS() as KubeObject);
  const wanted = ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding'];
  for (const obj of objects.filter((o) => wanted.includes(o.kind))) await adminKube(e).apply(obj);
}

/** A kubeconfig that authenticates as the `kustodian` service account with a fresh token. */
async function kustodianKubeconfig(e: TestEnv): Promise<KubeConfig> {
  const token = await run('kubectl', [
    '--kubeconfig',
    e.kubeconfig,
    'create',
    'token',
    'kustodian',
    '-n',
    systemNamespace,
    '--duration=1h',
  ]);
  const cluster = e.kc.getCurrentCluster();
  assert.ok(cluster);
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'kustodian', token: token.stdout.trim() }],
    contexts: [{ name: 'kustodian', cluster: cluster.name, user: 'kustodian' }],
    currentContext: 'kustodian',
  });
  return kc;
}

const role = (
  namespace: string,
  name: string,
  ...rules: string[]
) => `apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: ${name}
  namespace: ${namespace}
rules:
${rules.map((rule) => `  - ${rule}\n`).join('')}`;

const binding = (
  namespace: string,
  name: string,
  saNamespace: string,
) => `apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: ${name}
  namespace: ${namespace}
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: Role, name: ${name} }
subjects: [{ kind: ServiceAccount, name: reader, namespace: ${saNamespace} }]
`;

describe('an Application without serviceAccountName, installed with the shipped RBAC', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let target: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    await installAccounts(env());
    namespace = await env().createNamespace('default-identity');
    target = await env().createNamespace('default-identity-target');
    repo = await git.repo('team/default-identity');
    running = await startTestReconciler(env(), namespace, {
      kubeconfig: await kustodianKubeconfig(env()),
      defaultServiceAccount: { namespace: systemNamespace, name: 'kustodian-applier' },
    });
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('applies its objects, Roles and RoleBindings within kustodian-apply included, as kustodian-applier', async () => {
    await repo.commit(
      {
        'app/settings.yaml': configMap('settings', { mode: 'blue' }),
        'app/reader.yaml': 'apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: reader\n',
        'app/role.yaml': role(
          namespace,
          'read-settings',
          '{ apiGroups: [""], resources: [configmaps], verbs: [get] }',
        ),
      },
      'objects and a Role kustodian-apply covers',
    );
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'app' }, destination: { namespace } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'web');
    // Without `bind`, a RoleBinding is checked against its Role, which must exist by then.
    const commit = await repo.commit(
      { 'app/binding.yaml': binding(namespace, 'read-settings', namespace) },
      'bind it',
    );
    await waitForApplication(
      kube(),
      namespace,
      'web',
      'Ready at the binding commit',
      (a) =>
        readyOf(a)?.status === 'True' && a.status?.lastAppliedRevision === `main@sha1:${commit}`,
    );
    for (const [kind, apiVersion, name] of [
      ['ConfigMap', 'v1', 'settings'],
      ['ServiceAccount', 'v1', 'reader'],
      ['Role', 'rbac.authorization.k8s.io/v1', 'read-settings'],
      ['RoleBinding', 'rbac.authorization.k8s.io/v1', 'read-settings'],
    ] as const) {
      assert.ok(await kube().get({ apiVersion, kind, namespace, name }), `${kind} ${name} applied`);
    }
  });

  test('cannot create a Role granting Secrets and impersonation in another namespace', async () => {
    await repo.commit(
      {
        'app/steal.yaml': role(
          target,
          'steal',
          '{ apiGroups: [""], resources: [secrets], verbs: [get] }',
          '{ apiGroups: [""], resources: [serviceaccounts], verbs: [impersonate] }',
        ),
      },
      'a Role beyond kustodian-apply',
    );
    const app = await waitForApplication(
      kube(),
      namespace,
      'web',
      'ApplyFailed',
      (a) => readyOf(a)?.reason === 'ApplyFailed',
    );
    const message = readyOf(app)?.message ?? '';
    assert.match(message, new RegExp(`rbac\\.authorization\\.k8s\\.io/Role/${target}/steal: `));
    assert.match(message, /attempting to grant RBAC permissions not currently held/);
    assert.match(message, /system:serviceaccount:kustodian-system:kustodian-applier/);
    const ref = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', namespace: target };
    assert.equal(await kube().get({ ...ref, name: 'steal' }), undefined);
  });
});
