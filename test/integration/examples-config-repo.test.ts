/**
 * The example config repository is real: every overlay builds with the pinned kustomize, its
 * Deployment runs the image its kustomization names, the tags keep their Flux setter markers,
 * and what it renders is accepted by the API server and rolls out on kwok's nodes.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { findOverlays } from '@kustodian/shared/kustomize/discover';
import { parse, parseAllDocuments } from 'yaml';
import { exampleConfigRepo } from '../demo/config-repo.ts';
import { rolledOut, templateImage } from '../demo/converge.ts';
import { demoKube, type KubeObject } from '../demo/kube.ts';
import { localEnv } from '../env/for-tests.ts';
import { waitFor } from '../env/wait.ts';

const env = localEnv();

const overlays = [
  'apps/api/overlays/production',
  'apps/api/overlays/staging',
  'apps/web/overlays/production',
  'apps/web/overlays/staging',
];

async function build(overlay: string): Promise<KubeObject[]> {
  const built = await execaRunner(env().kustomize, ['build', join(exampleConfigRepo, overlay)]);
  assert.equal(built.exitCode, 0, built.stderr);
  return parseAllDocuments(built.stdout).map((doc) => doc.toJS() as KubeObject);
}

async function kustomizationOf(overlay: string): Promise<string> {
  return readFile(join(exampleConfigRepo, overlay, 'kustomization.yaml'), 'utf8');
}

test('the example config repository has a staging and a production overlay per app', async () => {
  assert.deepEqual(await findOverlays(exampleConfigRepo), overlays);
});

test('every overlay pins its image tag next to a Flux image policy setter marker', async () => {
  for (const overlay of overlays) {
    const text = await kustomizationOf(overlay);
    assert.match(
      text,
      /newTag: "?[\w.-]+"? # \{"\$imagepolicy": "flux-system:(web|api):tag"\}/,
      overlay,
    );
  }
});

describe('every overlay of the example config repository', () => {
  for (const overlay of overlays) {
    test(`${overlay} builds, runs the image its kustomization names, and rolls out on kwok nodes`, async () => {
      const objects = await build(overlay);
      assert.deepEqual(objects.map((obj) => obj.kind).sort(), [
        'Deployment',
        'Namespace',
        'Service',
      ]);
      const entry = (
        parse(await kustomizationOf(overlay)) as { images: { name: string; newTag: string }[] }
      ).images[0];
      const deployment = objects.find((obj) => obj.kind === 'Deployment');
      assert.ok(deployment);
      const name = deployment.metadata?.name ?? '';
      assert.equal(templateImage(deployment, name), `${entry?.name}:${entry?.newTag}`);

      // Everything but the Namespace, in a namespace of the test's own.
      const namespace = await env().createNamespace('example');
      const kube = demoKube(env().kc);
      for (const obj of objects.filter((o) => o.kind !== 'Namespace')) {
        await kube.apply({ ...obj, metadata: { ...obj.metadata, namespace } });
      }
      let live: KubeObject | undefined;
      await waitFor(`${overlay}'s Deployment to roll out`, async () => {
        live = await kube.get('apps/v1', 'Deployment', namespace, name);
        return rolledOut(live);
      });
      const replicas = (deployment.spec as { replicas: number }).replicas;
      const pods = await kube.list('v1', 'Pod', namespace, `app.kubernetes.io/name=${name}`);
      assert.equal(pods.filter((pod) => !pod.metadata?.deletionTimestamp).length, replicas);
      for (const pod of pods) {
        assert.match((pod.spec as { nodeName?: string }).nodeName ?? '', /^kwok-node-\d+$/);
      }
    });
  }
});
