import assert from 'node:assert/strict';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import { parseInputs } from '../../src/inputs.ts';
import { planFromRendered } from '../../src/steps/plan.ts';
import { parseOutput } from '../../src/validate/parsed.ts';
import { tempDir } from '../helpers.ts';

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: 'ghcr.io/acme/web:1.0.0'}]
`;

describe('planning with paths of exclusions only', () => {
  let root = '';
  let cleanup = async () => {};
  const overlays = ['overlays/prod', 'overlays/staging'];
  const rendered = overlays.map((overlay) => ({
    overlay,
    file: `${overlay}/kustomization.yaml`,
    problems: [],
  }));
  const objects = new Map<string, readonly ParsedObject[]>();

  before(async () => {
    const made = await tempDir('plan-paths');
    cleanup = made.cleanup;
    root = await realpath(made.dir);
    const files: Record<string, string> = {
      'base/kustomization.yaml':
        'resources:\n  - deployment.yaml\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.0.0\n',
      'base/deployment.yaml': deployment,
      'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\n',
      'overlays/staging/kustomization.yaml': 'resources:\n  - ../../base\n',
    };
    for (const [path, text] of Object.entries(files)) {
      await mkdir(join(root, path, '..'), { recursive: true });
      await writeFile(join(root, path), text);
    }
    const parsed = parseOutput(deployment, 'overlays/prod');
    for (const overlay of overlays) objects.set(overlay, 'objects' in parsed ? parsed.objects : []);
  });
  after(() => cleanup());

  const plan = (paths: string[]) => {
    const inputs = parseInputs(
      { images: 'ghcr.io/acme/web=2.0.0', paths: paths.join('\n') },
      'acme/config',
    );
    return planFromRendered(root, inputs, rendered, objects);
  };
  const targets = async (paths: string[]) =>
    (await plan(paths)).targets.map((target) => [target.file, target.edits.map((e) => e.mode)]);

  it('keeps the default choice of file when no file is excluded: the shared base', async () => {
    assert.deepEqual(await targets(['!elsewhere/**']), [['base/kustomization.yaml', ['update']]]);
  });

  it('never edits an excluded file, adding entries to the overlays instead', async () => {
    assert.deepEqual(await targets(['!base']), [
      ['overlays/prod/kustomization.yaml', ['add']],
      ['overlays/staging/kustomization.yaml', ['add']],
    ]);
    assert.deepEqual(await targets(['!base', '!overlays/prod']), [
      ['overlays/staging/kustomization.yaml', ['add']],
    ]);
  });
});
