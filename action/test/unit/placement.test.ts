import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizedPath, placementsOf } from '../../src/validate/deployments.ts';
import { findClashes } from '../../src/validate/placement.ts';

const kustodian = (path: string, extra = '') => ({
  apiVersion: 'kustodian.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'x', ...(extra ? { annotations: { 'kustodian.dev/cluster': extra } } : {}) },
  spec: { source: { path }, destination: { namespace: 'web' } },
});
const argo = (path: string, server: string) => ({
  apiVersion: 'argoproj.io/v1alpha1',
  kind: 'Application',
  metadata: { name: 'x' },
  spec: { source: { repoURL: 'https://git.example/config', path }, destination: { server } },
});
const flux = (path: string, kubeConfig?: string) => ({
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  kind: 'Kustomization',
  metadata: { name: 'x' },
  spec: { path, ...(kubeConfig ? { kubeConfig: { secretRef: { name: kubeConfig } } } : {}) },
});

describe('where the repository says overlays are deployed', () => {
  it('reads Kustodian Applications: the cluster of their directory unless annotated', () => {
    const placements = placementsOf([
      { file: 'clusters/prod/web.yaml', doc: kustodian('apps/web/overlays/prod') },
      { file: 'clusters/prod/api.yaml', doc: kustodian('./apps/api/overlays/prod/') },
      { file: 'elsewhere/db.yaml', doc: kustodian('apps/db/prod', 'eu') },
    ]);
    assert.deepEqual(Object.fromEntries(placements), {
      'apps/web/overlays/prod': [
        {
          cluster: 'the one clusters/prod/ is applied to',
          source: 'clusters/prod/web.yaml',
          namespace: 'web',
        },
      ],
      'apps/api/overlays/prod': [
        {
          cluster: 'the one clusters/prod/ is applied to',
          source: 'clusters/prod/api.yaml',
          namespace: 'web',
        },
      ],
      'apps/db/prod': [{ cluster: '"eu"', source: 'elsewhere/db.yaml', namespace: 'web' }],
    });
  });

  it('reads Argo CD Applications by destination and Flux Kustomizations by kubeConfig', () => {
    const placements = placementsOf([
      { file: 'argo/a.yaml', doc: argo('a/prod', 'https://prod.example') },
      { file: 'flux/b.yaml', doc: flux('./b/prod', 'prod-kubeconfig') },
      { file: 'flux/c.yaml', doc: flux('./c') },
    ]);
    assert.deepEqual(
      [...placements].map(([path, list]) => [path, list.map((each) => each.cluster)]),
      [
        ['a/prod', ['"https://prod.example"']],
        ['b/prod', ['of kubeConfig "prod-kubeconfig"']],
        ['c', ['the one flux/ is applied to']],
      ],
    );
  });

  it('lets a kustomization annotation name its own cluster, over what Applications say', () => {
    const placements = placementsOf([
      { file: 'argo/a.yaml', doc: argo('a/prod', 'https://prod.example') },
      {
        file: 'a/prod/kustomization.yaml',
        doc: {
          resources: ['../base'],
          metadata: { annotations: { 'kustodian.dev/cluster': 'eu' } },
        },
      },
    ]);
    assert.deepEqual(placements.get('a/prod'), [
      { cluster: '"eu"', source: 'a/prod/kustomization.yaml' },
    ]);
  });

  it('normalizes paths the way the controllers read them', () => {
    assert.equal(normalizedPath('./'), '.');
    assert.equal(normalizedPath(''), '.');
    assert.equal(normalizedPath('./apps//web/'), 'apps/web');
  });
});

describe('finding clashes', () => {
  const object = (overlay: string, id = 'apps/Deployment/web/web') => ({
    id,
    overlay,
    namespaced: true,
  });

  it('never reports overlays the repository places nowhere, whatever their names', () => {
    assert.deepEqual(
      findClashes([object('apps/x/overlays/prod'), object('platform/y/variants/prod')], new Map()),
      [],
    );
  });

  it('reports an object two overlays render into one cluster, naming both and what placed them', () => {
    const placements = new Map([
      ['a/istio', [{ cluster: '"c1"', source: 'argo/a.yaml' }]],
      ['b/istio', [{ cluster: '"c1"', source: 'argo/b.yaml' }]],
      ['c/istio', [{ cluster: '"c2"', source: 'argo/c.yaml' }]],
    ]);
    assert.deepEqual(
      findClashes([object('a/istio'), object('b/istio'), object('c/istio')], placements),
      [
        {
          id: 'apps/Deployment/web/web',
          cluster: '"c1"',
          overlays: ['a/istio', 'b/istio'],
          sources: ['argo/a.yaml', 'argo/b.yaml'],
        },
      ],
    );
  });

  it('tells apart objects naming no namespace that go to different default namespaces', () => {
    const placements = new Map([
      ['a', [{ cluster: '"c1"', namespace: 'one', source: 'a.yaml' }]],
      ['b', [{ cluster: '"c1"', namespace: 'two', source: 'b.yaml' }]],
    ]);
    const bare = (overlay: string) => ({ id: 'ConfigMap/cfg', overlay, namespaced: false });
    assert.deepEqual(findClashes([bare('a'), bare('b')], placements), []);
  });
});
