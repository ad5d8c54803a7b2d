/**
 * `reconciler/deploy/dashboard`: it builds with the pinned kustomize, the server's own account
 * may do only what rbac.yaml documents, and the API server accepts every object (a server-side
 * dry run).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { localEnv } from '../../test/env/for-tests.ts';

const run = promisify(execFile);
const component = new URL('../../reconciler/deploy/dashboard/', import.meta.url).pathname;
const env = localEnv();

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}
interface Built {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  spec?: {
    template?: {
      spec?: { serviceAccountName?: string; containers?: { image: string; args: string[] }[] };
    };
  };
}

async function build(): Promise<Built[]> {
  const { stdout } = await run(env().kustomize, ['build', component], { maxBuffer: 16 << 20 });
  return parseAllDocuments(stdout).map((doc) => doc.toJS() as Built);
}

describe('the dashboard deploy component', () => {
  test('builds the Deployment, Service, ServiceAccount and RBAC, with the pinned image', async () => {
    const objects = await build();
    const kinds = objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    assert.deepEqual(
      kinds.filter((k) => !k.startsWith('ConfigMap/')),
      [
        'ClusterRole/kustodian-dashboard-operator',
        'ClusterRole/kustodian-dashboard-viewer',
        'ClusterRole/kustodian-server',
        'ClusterRoleBinding/kustodian-server',
        'Deployment/kustodian-server',
        'Service/kustodian-server',
        'ServiceAccount/kustodian-server',
      ],
    );
    const deployment = objects.find((o) => o.kind === 'Deployment');
    const pod = deployment?.spec?.template?.spec;
    assert.equal(pod?.serviceAccountName, 'kustodian-server');
    assert.equal(pod?.containers?.[0]?.image, 'ghcr.io/kustodian/dashboard:0.1.0');
  });

  test('the server account may impersonate users and groups, read and patch Applications and list namespaces: nothing else', async () => {
    const role = (await build()).find(
      (o) => o.kind === 'ClusterRole' && o.metadata.name === 'kustodian-server',
    );
    const granted = (role?.rules ?? []).flatMap((r) =>
      r.apiGroups.flatMap((g) =>
        r.resources.flatMap((res) => r.verbs.map((v) => `${g || 'core'}/${res}:${v}`)),
      ),
    );
    assert.deepEqual(granted.sort(), [
      'core/groups:impersonate',
      'core/namespaces:list',
      'core/users:impersonate',
      'kustodian.dev/applications:get',
      'kustodian.dev/applications:list',
      'kustodian.dev/applications:patch',
      'kustodian.dev/applications:watch',
    ]);
  });

  test('the API server accepts every object (server-side dry run)', async () => {
    await run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      'create',
      'namespace',
      'kustodian-system',
    ]).catch(() => {});
    const { stdout } = await run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      'apply',
      '--server-side',
      '--dry-run=server',
      '--force-conflicts',
      '-k',
      component,
    ]);
    assert.match(
      stdout,
      /deployment\.apps\/kustodian-server serverside-applied \(server dry run\)/,
    );
  });
});
