import assert from 'node:assert/strict';
import { request as httpsRequest } from 'node:https';
import { describe, test } from 'node:test';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { versions } from '../env/binaries.ts';
import { localEnv } from '../env/for-tests.ts';
import { waitFor } from '../env/wait.ts';
import { rawRequest, serverSideApply } from './raw-api.ts';

const env = localEnv();

describe('the local control plane', () => {
  test('is a real kube-apiserver of the pinned version', async () => {
    const res = await rawRequest(env().kc, 'GET', '/version');
    assert.equal(res.status, 200);
    assert.equal((res.body as { gitVersion: string }).gitVersion, versions.kubernetes);
  });

  test('refuses a client that trusts its CA but brings no credentials', async () => {
    const cluster = env().kc.getCurrentCluster();
    const ca = Buffer.from(cluster?.caData ?? '', 'base64').toString('utf8');
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpsRequest(`${cluster?.server}/api/v1/namespaces`, { ca }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403);
  });

  test('stores a server-side applied ConfigMap field by field', async () => {
    const ns = await env().createNamespace('ssa-cm');
    const stored = await serverSideApply(
      env().kc,
      `/api/v1/namespaces/${ns}/configmaps/settings`,
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings', namespace: ns, labels: { tier: 'web' } },
        data: { greeting: 'hello', 'empty.txt': '' },
      },
      'kustodian-test',
    );
    const metadata = stored.metadata as {
      labels: Record<string, string>;
      managedFields: { manager: string; operation: string }[];
    };
    assert.deepEqual(stored.data, { greeting: 'hello', 'empty.txt': '' });
    assert.equal(metadata.labels.tier, 'web');
    assert.ok(
      metadata.managedFields.some((f) => f.manager === 'kustodian-test' && f.operation === 'Apply'),
    );
    const read = await rawRequest(env().kc, 'GET', `/api/v1/namespaces/${ns}/configmaps/settings`);
    assert.deepEqual((read.body as { data: unknown }).data, { greeting: 'hello', 'empty.txt': '' });
  });

  test('keeps preserve-unknown-fields and int-or-string fields of a custom resource', async () => {
    const kc = env().kc;
    const group = `${Math.random().toString(36).slice(2, 8)}.foundation.kustodian.dev`;
    const crdName = `widgets.${group}`;
    await serverSideApply(
      kc,
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`,
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: crdName },
        spec: {
          group,
          scope: 'Namespaced',
          names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
          versions: [
            {
              name: 'v1',
              served: true,
              storage: true,
              schema: {
                openAPIV3Schema: {
                  type: 'object',
                  properties: {
                    spec: {
                      type: 'object',
                      properties: {
                        port: { 'x-kubernetes-int-or-string': true },
                        maxUnavailable: { 'x-kubernetes-int-or-string': true },
                        config: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                      },
                    },
                  },
                },
              },
            },
          ],
        },
      },
      'kustodian-test',
    );
    await waitFor(
      `CRD ${crdName} Established`,
      async () => {
        const res = await rawRequest(
          kc,
          'GET',
          `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crdName}`,
        );
        const conditions =
          (res.body as { status?: { conditions?: { type: string; status: string }[] } }).status
            ?.conditions ?? [];
        return conditions.some((c) => c.type === 'Established' && c.status === 'True');
      },
      { timeoutMs: 30_000 },
    );
    const ns = await env().createNamespace('ssa-cr');
    const config = {
      nested: { list: [1, 'two', { three: true }], deep: { deeper: { deepest: null } } },
      flag: false,
    };
    const path = `/apis/${group}/v1/namespaces/${ns}/widgets/one`;
    // The discovery cache of a fresh CRD can lag for a moment; retry the first apply briefly.
    let stored: Record<string, unknown> | undefined;
    await waitFor(
      'first apply of the custom resource',
      async () => {
        stored = await serverSideApply(
          kc,
          path,
          {
            apiVersion: `${group}/v1`,
            kind: 'Widget',
            metadata: { name: 'one', namespace: ns },
            spec: { port: 8080, maxUnavailable: '25%', config },
          },
          'kustodian-test',
        ).catch(() => undefined);
        return stored !== undefined;
      },
      { timeoutMs: 30_000 },
    );
    const read = await rawRequest(kc, 'GET', path);
    const spec = (read.body as { spec: Record<string, unknown> }).spec;
    assert.equal(spec.port, 8080);
    assert.equal(spec.maxUnavailable, '25%');
    assert.deepEqual(spec.config, config);
  });

  test('rolls a Deployment out through controller-manager, scheduler and kwok', async () => {
    const kc = env().kc;
    const ns = await env().createNamespace('rollout');
    const apps = kc.makeApiClient(AppsV1Api);
    const core = kc.makeApiClient(CoreV1Api);
    await apps.createNamespacedDeployment({
      namespace: ns,
      body: {
        metadata: { name: 'web' },
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web' } },
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
          },
        },
      },
    });
    await waitFor(
      'Deployment web Available with 3 ready replicas',
      async () => {
        const d = await apps.readNamespacedDeployment({ namespace: ns, name: 'web' });
        const available = d.status?.conditions?.some(
          (c) => c.type === 'Available' && c.status === 'True',
        );
        return (
          available === true &&
          d.status?.readyReplicas === 3 &&
          d.status.observedGeneration === d.metadata?.generation
        );
      },
      { timeoutMs: 60_000 },
    );
    const pods = await core.listNamespacedPod({ namespace: ns });
    assert.equal(pods.items.length, 3);
    for (const pod of pods.items) {
      assert.match(pod.spec?.nodeName ?? '', /^kwok-node-/);
      assert.equal(pod.status?.phase, 'Running');
    }
  });

  test('has Ready fake nodes', async () => {
    const nodes = await env().kc.makeApiClient(CoreV1Api).listNode();
    const ready = nodes.items.filter((n) =>
      n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
    );
    assert.ok(ready.length >= 1);
  });
});
