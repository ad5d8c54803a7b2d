/**
 * The example Applications are valid for the real API server with the CRD installed (a
 * server-side dry run, in a namespace of the test's own) and for the reconciler's own schema,
 * and they point at what exists: overlays of the example config repository, the credentials
 * Secret of the template, Applications of the same cluster in `dependsOn`.
 */
import assert from 'node:assert/strict';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { parseApplicationSpec } from '@kustodian/shared/config/application';
import { messageOf } from '@kustodian/shared/errors';
import {
  credentialsTemplate,
  exampleApplications,
  exampleClusters,
  nameOf,
} from '../demo/applications.ts';
import { exampleConfigRepo } from '../demo/config-repo.ts';
import { installApplicationApi } from '../demo/install.ts';
import { demoKube, type KubeObject } from '../demo/kube.ts';
import { localEnv } from '../env/for-tests.ts';

const env = localEnv();

async function dryRun(obj: KubeObject, namespace: string): Promise<string | undefined> {
  try {
    await demoKube(env().kc).dryRunCreate({ ...obj, metadata: { ...obj.metadata, namespace } });
    return undefined;
  } catch (error) {
    return messageOf(error);
  }
}

describe('the example Applications', () => {
  before(() => installApplicationApi(demoKube(env().kc), { withNamespace: false }));

  for (const cluster of exampleClusters) {
    test(`of ${cluster} pass a server-side dry run and the reconciler's schema`, async () => {
      const apps = await exampleApplications(env().kustomize, cluster);
      assert.deepEqual(apps.map((app) => app.metadata?.name).sort(), ['api', 'web']);
      const namespace = await env().createNamespace(`apps-${cluster}`);
      for (const app of apps) {
        assert.equal(app.metadata?.namespace, 'kustodian-system', nameOf(app));
        assert.equal(await dryRun(app, namespace), undefined, nameOf(app));
        parseApplicationSpec(app.spec, nameOf(app));
      }
    });

    test(`of ${cluster} name overlays, credentials and dependencies that exist`, async () => {
      const apps = await exampleApplications(env().kustomize, cluster);
      const secret = await credentialsTemplate();
      const names = new Set(apps.map((app) => app.metadata?.name));
      for (const app of apps) {
        const spec = parseApplicationSpec(app.spec, nameOf(app));
        assert.ok(spec.source.path.endsWith(`/overlays/${cluster}`), spec.source.path);
        await access(join(exampleConfigRepo, spec.source.path, 'kustomization.yaml'));
        assert.equal(spec.source.secretRef?.name, secret.metadata?.name);
        for (const dependency of spec.dependsOn) assert.ok(names.has(dependency.name));
      }
    });
  }

  test('share a git credentials Secret template that passes a dry run and holds no secret', async () => {
    const secret = await credentialsTemplate();
    const data = secret.stringData as Record<string, string>;
    assert.deepEqual(Object.keys(data).sort(), ['password', 'username']);
    assert.match(data.password ?? '', /^<.*>$/);
    assert.equal(await dryRun(secret, await env().createNamespace('apps-secret')), undefined);
  });

  test('would be refused by the API server with credentials in the URL', async () => {
    const [app] = await exampleApplications(env().kustomize, 'staging');
    assert.ok(app);
    const spec = app.spec as { source: Record<string, unknown> };
    const leaky = {
      ...app,
      spec: {
        ...spec,
        source: { ...spec.source, url: 'https://bot:hunter2@github.com/acme/config.git' },
      },
    };
    assert.match(
      (await dryRun(leaky, await env().createNamespace('apps-refused'))) ?? '',
      /credentials/,
    );
  });
});
