/**
 * The install base, end to end: built with the pinned kustomize, applied server-side to the
 * local control plane, and checked by the API server itself (CRD schema and CEL rules, Pod
 * Security admission of the Deployment's pods, printer columns through kubectl).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { execaRunner } from '@kustodian/shared/exec';
import { parseAllDocuments } from 'yaml';
import { localEnv } from '../../../test/env/for-tests.ts';
import { createKube, type KubeClient } from '../../src/kube/client.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import { idOf, isRecord, type KubeObject } from '../../src/kube/object.ts';

const env = localEnv();
const deployDir = resolve(import.meta.dirname, '../../deploy');
const systemNamespace = 'kustodian-system';
const crdName = 'applications.kustodian.dev';

async function kustomizeBuild(dir: string): Promise<KubeObject[]> {
  const result = await execaRunner(env().kustomize, ['build', dir]);
  assert.equal(result.exitCode, 0, result.stderr);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS() as KubeObject);
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(200);
  }
}

function application(namespace: string, name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace },
    spec,
  };
}

/** The API server's refusal of an apply, or a failure if it was accepted. */
async function refusal(kube: KubeClient, obj: KubeObject, options = {}): Promise<KubeApiError> {
  try {
    await kube.apply(obj, options);
  } catch (thrown) {
    if (thrown instanceof KubeApiError) return thrown;
    throw thrown;
  }
  assert.fail(`the API server accepted ${idOf(obj)}`);
}

const validSpec = {
  source: {
    url: 'https://git.example.com/org/config.git',
    ref: { branch: 'main' },
    path: 'overlays/production',
    secretRef: { name: 'config-credentials' },
  },
  destination: { namespace: 'web' },
  serviceAccountName: 'deployer',
  interval: '1m30s',
  retryInterval: '30s',
  timeout: '5m',
  prune: true,
  selfHeal: true,
  wait: true,
  suspend: false,
  dependsOn: [{ name: 'infra', namespace: 'platform' }],
  force: false,
  allowEmpty: false,
  enableRemoteResources: false,
  deletionPolicy: 'MirrorPrune',
};

describe('the install base on the API server', () => {
  let objects: KubeObject[] = [];
  let kube: KubeClient;

  before(async () => {
    kube = createKube(env().kc);
    objects = await kustomizeBuild(deployDir);
    // Namespace and CRD first, as the reconciler itself orders them.
    const first = (obj: KubeObject) =>
      ['Namespace', 'CustomResourceDefinition'].includes(obj.kind) ? 0 : 1;
    for (const obj of [...objects].sort((a, b) => first(a) - first(b))) await kube.apply(obj);
  });

  it('builds with the pinned kustomize into the expected objects', () => {
    assert.deepEqual(objects.map(idOf).sort(), [
      'Namespace/kustodian-system',
      'Service/kustodian-system/kustodian-webhook',
      'ServiceAccount/kustodian-system/kustodian',
      'ServiceAccount/kustodian-system/kustodian-applier',
      'apiextensions.k8s.io/CustomResourceDefinition/applications.kustodian.dev',
      'apps/Deployment/kustodian-system/kustodian-reconciler',
      'rbac.authorization.k8s.io/ClusterRole/kustodian-apply',
      'rbac.authorization.k8s.io/ClusterRole/kustodian-controller',
      'rbac.authorization.k8s.io/ClusterRoleBinding/kustodian-apply',
      'rbac.authorization.k8s.io/ClusterRoleBinding/kustodian-controller',
      'rbac.authorization.k8s.io/Role/kustodian-system/kustodian-leader-election',
      'rbac.authorization.k8s.io/RoleBinding/kustodian-system/kustodian-leader-election',
    ]);
  });

  it('stores every object, and the CRD becomes Established', async () => {
    for (const obj of objects) {
      const ref = {
        apiVersion: obj.apiVersion,
        kind: obj.kind,
        name: obj.metadata.name,
        namespace: obj.metadata.namespace,
      };
      assert.ok(await kube.get(ref), `${idOf(obj)} is missing`);
    }
    const crdRef = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      name: crdName,
    };
    await until('the CRD is Established', async () => {
      const crd = await kube.get(crdRef);
      const conditions =
        isRecord(crd?.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions : [];
      return conditions.some((c) => isRecord(c) && c.type === 'Established' && c.status === 'True')
        ? true
        : undefined;
    });
  });

  it('lets only kustodian-applier write what Applications apply, and only the reconciler read Secrets', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'kubectl-cache-'));
    try {
      const can = async (account: string, verb: string, resource: string, namespace: string) => {
        const as = `system:serviceaccount:${systemNamespace}:${account}`;
        const result = await execaRunner('kubectl', [
          ...['--kubeconfig', env().kubeconfig, '--cache-dir', cacheDir, 'auth', 'can-i'],
          ...[verb, resource, '-n', namespace, '--as', as],
        ]);
        return result.stdout.trim();
      };
      const checks: [string, string, string, string, 'yes' | 'no'][] = [
        ['kustodian-applier', 'create', 'roles.rbac.authorization.k8s.io', 'kube-system', 'yes'],
        ['kustodian-applier', 'patch', 'deployments.apps', 'web', 'yes'],
        ['kustodian-applier', 'get', 'secrets', 'kube-system', 'no'],
        ['kustodian-applier', 'impersonate', 'serviceaccounts', 'kube-system', 'no'],
        ['kustodian-applier', 'bind', 'roles.rbac.authorization.k8s.io', 'kube-system', 'no'],
        ['kustodian', 'get', 'secrets', 'web', 'yes'],
        ['kustodian', 'impersonate', 'serviceaccounts', 'web', 'yes'],
        ['kustodian', 'create', 'roles.rbac.authorization.k8s.io', 'web', 'no'],
        ['kustodian', 'patch', 'deployments.apps', 'web', 'no'],
      ];
      for (const [account, verb, resource, namespace, expected] of checks) {
        assert.equal(
          await can(account, verb, resource, namespace),
          expected,
          `${account} ${verb} ${resource}`,
        );
      }
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('makes the reconciler apply Applications without serviceAccountName as kustodian-applier', () => {
    const deployment = objects.find((obj) => obj.kind === 'Deployment')?.spec as {
      template: { spec: { containers: { args: string[] }[] } };
    };
    const args = deployment.template.spec.containers[0]?.args ?? [];
    assert.ok(args.includes('--default-service-account=$(POD_NAMESPACE)/kustodian-applier'));
  });

  it('enforces the restricted pod security standard on its namespace', async () => {
    const ns = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name: systemNamespace });
    const labels = isRecord(ns?.metadata.labels) ? ns.metadata.labels : {};
    assert.equal(labels['pod-security.kubernetes.io/enforce'], 'restricted');
  });

  it('accepts an Application with a valid spec', async () => {
    const namespace = await env().createNamespace('deploy-valid');
    const stored = await kube.apply(application(namespace, 'web', validSpec));
    assert.deepEqual(stored.spec, validSpec);
    const minimal = await kube.apply(
      application(namespace, 'minimal', { source: { url: 'git@github.com:org/config.git' } }),
    );
    assert.deepEqual(minimal.spec, { source: { url: 'git@github.com:org/config.git' } });
    const commit = {
      source: { url: 'ssh://git@git.example.com/org/config.git', ref: { commit: 'a'.repeat(40) } },
    };
    await kube.apply(application(namespace, 'pinned', commit));
  });

  it('refuses a spec that breaks the CEL rules or the patterns', async () => {
    const namespace = await env().createNamespace('deploy-invalid');
    const source = validSpec.source;
    const cases: [string, Record<string, unknown>, RegExp][] = [
      [
        'two refs',
        { source: { ...source, ref: { branch: 'main', tag: 'v1' } } },
        /exactly one of branch, tag or commit/,
      ],
      ['no ref at all', { source: { ...source, ref: {} } }, /exactly one of branch, tag or commit/],
      [
        'a short commit',
        { source: { ...source, ref: { commit: 'abc123' } } },
        /spec\.source\.ref\.commit/,
      ],
      [
        'a bad branch name',
        { source: { ...source, ref: { branch: 'a..b' } } },
        /must be a valid git ref name/,
      ],
      [
        'credentials in the URL',
        { source: { ...source, url: 'https://bot:token@git.example.com/o/r.git' } },
        /must not hold credentials/,
      ],
      [
        'a path climbing out',
        { source: { ...source, path: 'overlays/../../etc' } },
        /without "\.\." segments/,
      ],
      ['an absolute path', { source: { ...source, path: '/etc' } }, /spec\.source\.path/],
      ['no source', { interval: '5m' }, /spec\.source: Required value/],
      ['a duration in words', { ...validSpec, interval: 'five minutes' }, /spec\.interval/],
      [
        'an uppercase namespace',
        { ...validSpec, destination: { namespace: 'Web' } },
        /spec\.destination\.namespace/,
      ],
      [
        'an unknown deletion policy',
        { ...validSpec, deletionPolicy: 'Cascade' },
        /spec\.deletionPolicy: Unsupported value/,
      ],
    ];
    for (const [what, spec, message] of cases) {
      const error = await refusal(kube, application(namespace, 'bad', spec));
      assert.equal(error.httpStatus, 422, `${what}: ${error.message}`);
      assert.match(error.message, message, what);
    }
  });

  it('refuses a status value outside its enum', async () => {
    const namespace = await env().createNamespace('deploy-enum');
    await kube.apply(application(namespace, 'web', validSpec));
    const status = { health: { status: 'Fine', message: '', counts: {} } };
    const error = await refusal(
      kube,
      { ...application(namespace, 'web', validSpec), status },
      { subresource: 'status' },
    );
    assert.equal(error.httpStatus, 422);
    assert.match(error.message, /status\.health\.status: Unsupported value: "Fine"/);
  });

  it('keeps the status the reconciler writes and shows it in the printer columns', async () => {
    const namespace = await env().createNamespace('deploy-columns');
    await kube.apply(application(namespace, 'web', validSpec));
    const revision = `main@sha1:${'c'.repeat(40)}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const status = {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: 'Applied revision',
          observedGeneration: 1,
          lastTransitionTime: now,
        },
        {
          type: 'Healthy',
          status: 'True',
          reason: 'Healthy',
          message: 'all healthy',
          observedGeneration: 1,
          lastTransitionTime: now,
        },
      ],
      lastAttemptedRevision: revision,
      lastAppliedRevision: revision,
      lastAppliedSource: {
        repository: 'org/app',
        commit: 'd'.repeat(40),
        time: now,
        workflowRun: '42',
      },
      lastHandledRequestedAt: now,
      inventory: {
        entries: [
          { id: 'apps/Deployment/web/api', version: 'v1' },
          { id: 'ConfigMap/web/settings', version: 'v1' },
        ],
      },
      health: { status: 'Healthy', message: '2 objects healthy', counts: { Current: 2 } },
      history: [
        {
          revision,
          startedAt: now,
          finishedAt: now,
          result: 'Succeeded',
          reason: 'ReconciliationSucceeded',
          revisionTime: now,
          sourceCommit: 'd'.repeat(40),
          sourceTime: now,
        },
      ],
    };
    const stored = await kube.apply(
      { ...application(namespace, 'web', validSpec), status },
      { subresource: 'status' },
    );
    assert.deepEqual(stored.status, status);

    const cacheDir = await mkdtemp(join(tmpdir(), 'kubectl-cache-'));
    try {
      const get = (...extra: string[]) =>
        execaRunner('kubectl', [
          '--kubeconfig',
          env().kubeconfig,
          '--cache-dir',
          cacheDir,
          'get',
          'kapp',
          '-n',
          namespace,
          ...extra,
        ]);
      const table = await get();
      assert.equal(table.exitCode, 0, table.stderr);
      const [header = '', row = ''] = table.stdout.trim().split('\n');
      assert.deepEqual(header.split(/\s+/), ['NAME', 'READY', 'REVISION', 'HEALTH', 'AGE']);
      assert.deepEqual(row.split(/\s+/).slice(0, 4), ['web', 'True', revision, 'Healthy']);
      const wide = await get('-o', 'wide');
      assert.match(wide.stdout.split('\n')[0] ?? '', /\bMESSAGE\b/);
      assert.match(wide.stdout, /Applied revision/);
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('runs the reconciler pods under the restricted pod security standard', async () => {
    const template = objects.find((obj) => obj.kind === 'Deployment')?.spec as {
      template: { spec: Record<string, unknown> };
    };
    const pods = await until('the ReplicaSet created both pods', async () => {
      const list = await kube.list('v1', 'Pod', {
        namespace: systemNamespace,
        labelSelector: 'app.kubernetes.io/name=kustodian,app.kubernetes.io/component=reconciler',
      });
      return list.items.length >= 2 ? list.items : undefined;
    });
    assert.ok(pods.length >= 2);
    const events = await kube.list('v1', 'Event', { namespace: systemNamespace });
    const violations = events.items.filter((event) =>
      String(event.message ?? '').includes('PodSecurity'),
    );
    assert.deepEqual(
      violations.map((event) => event.message),
      [],
    );

    // The same check, asked directly: the template passes admission, a weakened one does not.
    const probe = (name: string, spec: Record<string, unknown>): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: systemNamespace },
      spec,
    });
    await kube.apply(probe('pss-probe', template.template.spec), { dryRun: true });
    const weakened = structuredClone(template.template.spec) as {
      securityContext: Record<string, unknown>;
      containers: { securityContext: Record<string, unknown> }[];
    };
    delete weakened.securityContext.seccompProfile;
    for (const container of weakened.containers) {
      container.securityContext = { ...container.securityContext, allowPrivilegeEscalation: true };
      delete container.securityContext.seccompProfile;
    }
    const error = await refusal(kube, probe('pss-probe', weakened), { dryRun: true });
    assert.equal(error.httpStatus, 403);
    assert.match(error.message, /violates PodSecurity "restricted:latest"/);
  });
});

describe('the cluster-admin component', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kustodian-overlay-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('adds a binding of cluster-admin to the account Applications apply as', async () => {
    const base = relative(dir, deployDir);
    await writeFile(
      join(dir, 'kustomization.yaml'),
      `resources:\n  - ${base}\ncomponents:\n  - ${base}/cluster-admin\n`,
    );
    const built = await kustomizeBuild(dir);
    const binding = built.find((obj) => obj.metadata.name === 'kustodian-cluster-admin');
    assert.deepEqual(binding?.roleRef, {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: 'cluster-admin',
    });
    assert.deepEqual(binding?.subjects, [
      { kind: 'ServiceAccount', name: 'kustodian-applier', namespace: systemNamespace },
    ]);
    assert.equal(built.length, 13);
  });
});
