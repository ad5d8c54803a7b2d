/**
 * The bundled action on a repository shaped like real platforms: Components that nothing
 * includes (one whose patch fails on its own), Components included by overlays, alternative
 * overlays that share a last path segment, Application manifests that place overlays, and an
 * `overlays` input of exclusions only.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bareConfigRepo, runAction, tempDir } from '../helpers.ts';

const meshConfig = `apiVersion: v1
kind: ConfigMap
metadata:
  name: mesh-config
  namespace: mesh
data:
  mode: strict
`;

/** Files added to the example repository. */
const platform: Record<string, string> = {
  // A Component nothing includes, whose patch finds nothing to patch when built alone.
  'components/unused-patch/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
  - patch: |
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: absent
      spec:
        replicas: 3
`,
  // A Component that an overlay includes.
  'components/mesh-labels/kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
labels:
  - pairs:
      mesh.example/tier: control
`,
  'mesh/base/kustomization.yaml': 'resources:\n  - config.yaml\n',
  'mesh/base/config.yaml': meshConfig,
  // Two alternatives, never deployed together, that share their last path segment.
  'mesh/overlays/istio/kustomization.yaml':
    'resources:\n  - ../../base\ncomponents:\n  - ../../../components/mesh-labels\n',
  'mesh/variants/istio/kustomization.yaml': 'resources:\n  - ../../base\n',
  // An overlay that does not build: it is excluded below.
  'broken/overlays/istio/kustomization.yaml': 'resources:\n  - missing.yaml\n',
};

/** An Argo CD Application deploying `path` to `server`. */
function argoApplication(name: string, path: string, server: string): string {
  return `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: ${name}
  namespace: argocd
spec:
  project: default
  source:
    repoURL: https://git.example/acme/config.git
    targetRevision: main
    path: ${path}
  destination:
    server: ${server}
    namespace: mesh
`;
}

function errorAnnotations(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('::error'));
}

describe('the bundled action on a platform repository', () => {
  let dir = '';
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('discovery'));
  });
  after(() => cleanup());

  it('builds components only through their overlays, finds no clash nothing says, and never builds an excluded overlay', async () => {
    const url = await bareConfigRepo(join(dir, 'valid'), platform);
    const run = await runAction({
      inputs: { repository: url, commit: 'none', overlays: '!broken/**' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(errorAnnotations(run.stdout), []);
    const built = /overlays to build \((\d+)\): (.*)/.exec(run.stdout);
    assert.ok(built, run.stdout);
    const overlays = (built[2] ?? '').split(', ');
    assert.ok(overlays.includes('mesh/overlays/istio'), built[0]);
    assert.ok(overlays.includes('mesh/variants/istio'), built[0]);
    assert.ok(!overlays.some((name) => name.startsWith('components/')), built[0]);
    assert.ok(!overlays.includes('broken/overlays/istio'), built[0]);
    assert.match(run.summary, new RegExp(`\\| Overlays \\| ${overlays.length} \\|`));
  });

  it('fails on the overlay the exclusion kept out, once it is not excluded', async () => {
    const url = await bareConfigRepo(join(dir, 'unexcluded'), platform);
    const run = await runAction({ inputs: { repository: url, commit: 'none' } });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const errors = errorAnnotations(run.stdout);
    assert.ok(
      errors.some((line) => line.includes('build broken/overlays/istio')),
      errors.join('\n'),
    );
    assert.ok(!errors.some((line) => line.includes('components/')), errors.join('\n'));
  });

  it('reports two overlays that Application manifests deploy to one cluster, naming both and the object', async () => {
    const url = await bareConfigRepo(join(dir, 'placed'), {
      ...platform,
      'clusters/prod/istio.yaml': argoApplication(
        'istio',
        'mesh/overlays/istio',
        'https://prod.example',
      ),
      'clusters/prod/istio-variant.yaml': argoApplication(
        'istio-variant',
        'mesh/variants/istio',
        'https://prod.example',
      ),
    });
    const run = await runAction({
      inputs: { repository: url, commit: 'none', overlays: '!broken/**' },
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const errors = errorAnnotations(run.stdout).filter((line) => line.startsWith('::error title='));
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0] ?? '',
      /ConfigMap\/mesh\/mesh-config is deployed to the cluster "https:\/\/prod\.example" by 2 overlays: mesh\/overlays\/istio, mesh\/variants\/istio \(placed by clusters\/prod\/istio-variant\.yaml, clusters\/prod\/istio\.yaml\)/,
    );
  });
});
