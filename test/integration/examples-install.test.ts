/**
 * The example install overlay (`examples/install/`) builds on the reconciler's base with the
 * pinned kustomize: the webhook Secret is generated from `webhook.env` and the Deployment reads
 * the generated name, the image is pinned, the extra flag is there, and the Ingress reaches the
 * webhook Service. Built from a copy laid out like the repository, so the test writes no
 * `webhook.env` into the working tree.
 */
import assert from 'node:assert/strict';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { parseAllDocuments } from 'yaml';
import { projectRoot } from '../demo/config-repo.ts';
import type { KubeObject } from '../demo/kube.ts';
import { requireBinary } from '../env/binaries.ts';

interface Container {
  image: string;
  args: string[];
  env: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }[];
}

describe('the example install overlay', () => {
  let dir = '';
  let kustomize = '';
  const secret = 'a'.repeat(64);
  before(async () => {
    kustomize = await requireBinary('kustomize');
    dir = await mkdtemp(join(tmpdir(), 'kustodian-install-'));
    for (const path of ['reconciler/deploy', 'examples/install']) {
      await cp(join(projectRoot, path), join(dir, path), { recursive: true });
    }
    await rm(join(dir, 'examples/install/webhook.env'), { force: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const build = () => execaRunner(kustomize, ['build', join(dir, 'examples/install')]);

  test('does not build until the webhook secret file is created, and says which file', async () => {
    const built = await build();
    assert.notEqual(built.exitCode, 0);
    assert.match(built.stderr, /webhook\.env/);
  });

  test('builds the base with the generated webhook Secret, the pinned image and the Ingress', async () => {
    await writeFile(join(dir, 'examples/install/webhook.env'), `secret=${secret}\n`);
    const built = await build();
    assert.equal(built.exitCode, 0, built.stderr);
    const objects = parseAllDocuments(built.stdout).map((doc) => doc.toJS() as KubeObject);
    const find = (kind: string, prefix: string) =>
      objects.find((obj) => obj.kind === kind && obj.metadata?.name?.startsWith(prefix));

    const generated = find('Secret', 'kustodian-webhook-');
    assert.ok(generated, 'a kustodian-webhook-<hash> Secret is generated');
    assert.equal(generated.metadata?.namespace, 'kustodian-system');
    const data = generated.data as Record<string, string>;
    assert.equal(Buffer.from(data.secret ?? '', 'base64').toString(), secret);

    const deployment = find('Deployment', 'kustodian-reconciler');
    const spec = deployment?.spec as { template: { spec: { containers: Container[] } } };
    const container = spec.template.spec.containers[0];
    assert.equal(container?.image, 'ghcr.io/kustodian/reconciler:0.1.0');
    assert.ok(container?.args.includes('--concurrency=8'));
    assert.ok(container?.args.includes('--webhook-port=9292'));
    const variable = container?.env.find((v) => v.name === 'KUSTODIAN_WEBHOOK_SECRET');
    assert.deepEqual(variable?.valueFrom?.secretKeyRef, {
      name: generated.metadata?.name,
      key: 'secret',
      optional: true,
    });

    const ingress = find('Ingress', 'kustodian-webhook');
    assert.ok(ingress);
    const rule = (
      ingress.spec as {
        rules: {
          http: {
            paths: {
              path: string;
              backend: { service: { name: string; port: { name: string } } };
            }[];
          };
        }[];
      }
    ).rules[0]?.http.paths[0];
    assert.equal(rule?.path, '/hooks/github');
    const service = find('Service', 'kustodian-webhook');
    assert.ok(service);
    const ports = (service.spec as { ports: { name: string }[] }).ports.map((port) => port.name);
    assert.equal(rule?.backend.service.name, service.metadata?.name);
    assert.ok(ports.includes(rule?.backend.service.port.name ?? ''));

    // Nothing of the base went missing: the CRD and the RBAC come along.
    for (const kind of ['Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'ClusterRole']) {
      assert.ok(
        objects.some((obj) => obj.kind === kind),
        kind,
      );
    }
  });
});
