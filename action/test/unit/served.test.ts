import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  builtinApiVersions,
  builtinValidator,
  retiredApiVersions,
} from '../../src/validate/builtin.ts';
import { kindModules } from '../../src/validate/builtin-kinds.ts';
import { isBuiltinGroup, isServed, pinnedKubernetesVersion } from '../../src/validate/served.ts';
import served from '../../src/validate/served-apis.json' with { type: 'json' };

// Kubernetes names its own API groups either without a dot (the older ones: apps, batch,
// policy, ...) or under k8s.io; anything else was added by a CRD or an aggregated server.
const isKubernetesGroup = (group: string) => !group.includes('.') || group.endsWith('.k8s.io');

describe('the served APIs of the pinned Kubernetes version', () => {
  it('holds only the groups Kubernetes serves itself, none a CRD added', () => {
    const groups = new Set(
      Object.keys(served.namespaced).map((key) => key.split('/').slice(0, -2).join('/')),
    );
    const foreign = [...groups].filter((group) => !isKubernetesGroup(group));
    assert.deepEqual(foreign, []);
  });

  it('serves the kinds every cluster has', () => {
    assert.match(pinnedKubernetesVersion, /^v1\.\d+\.\d+$/);
    for (const [apiVersion, kind] of [
      ['v1', 'ConfigMap'],
      ['apps/v1', 'Deployment'],
      ['batch/v1', 'CronJob'],
      ['networking.k8s.io/v1', 'Ingress'],
      ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
      ['apiextensions.k8s.io/v1', 'CustomResourceDefinition'],
    ] as const) {
      assert.ok(isServed(apiVersion, kind), `${apiVersion} ${kind}`);
    }
  });

  it('does not take a custom group for a built-in one', () => {
    assert.equal(isBuiltinGroup('apps'), true);
    assert.equal(isBuiltinGroup(''), true);
    assert.equal(isBuiltinGroup('example.com'), false);
    assert.equal(isBuiltinGroup('b0sv6a.foundation.kustodian.dev'), false);
  });
});

describe('the built-in schemas', () => {
  const servedApiVersions = new Set(
    Object.keys(served.namespaced).map((key) => key.slice(0, key.lastIndexOf('/'))),
  );

  it('are loaded kind by kind, for every kind the pinned version serves and only for those', async () => {
    assert.deepEqual(Object.keys(kindModules).sort(), Object.keys(served.namespaced).sort());
    for (const key of Object.keys(kindModules)) {
      const slash = key.lastIndexOf('/');
      const validate = await builtinValidator(key.slice(0, slash), key.slice(slash + 1));
      assert.ok(validate !== undefined, `no model class for ${key}`);
    }
  });

  it('are loaded for group-versions the pinned version serves, and only for those', () => {
    for (const apiVersion of builtinApiVersions()) {
      assert.ok(servedApiVersions.has(apiVersion), `${apiVersion} is not served`);
    }
    assert.ok(builtinApiVersions().includes('apps/v1'));
  });

  it('count the retired group-versions as Kubernetes’ own, none of them served', () => {
    for (const apiVersion of retiredApiVersions) {
      assert.ok(!servedApiVersions.has(apiVersion), `${apiVersion} is served`);
      assert.ok(isKubernetesGroup(apiVersion.split('/')[0] ?? ''), apiVersion);
    }
    assert.ok(retiredApiVersions.has('extensions/v1beta1'));
  });
});
