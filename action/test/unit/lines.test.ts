/**
 * Problems found in a file of the repository carry the line they are about: a jail violation
 * the line of its kustomization field, a refused downgrade the line of the tag.
 */
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { parseImageUpdates } from '@kustodian/shared/images/update';
import { applyBump } from '../../src/bump/apply.ts';
import { renderOverlays } from '../../src/validate/render.ts';
import { tempDir } from '../helpers.ts';

describe('problem lines', () => {
  let dir = '';
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('lines'));
    await mkdir(join(dir, 'overlays/remote'), { recursive: true });
    await writeFile(
      join(dir, 'overlays/remote/kustomization.yaml'),
      [
        'kind: Kustomization',
        '# a remote base is refused',
        'resources:',
        '  - deployment.yaml',
        '  - https://github.com/acme/base//deploy?ref=v1',
        'helmCharts:',
        '  - name: redis',
        'images:',
        '  - name: ghcr.io/acme/web',
        '    newTag: 1.4.2 # {"$imagepolicy": "flux-system:web:tag"}',
        '',
      ].join('\n'),
    );
  });
  after(() => cleanup());

  it('puts a jail violation on the line of its kustomization field', async () => {
    const [rendered] = await renderOverlays(['overlays/remote'], {
      root: dir,
      kustomize: { file: '/nonexistent/kustomize', argsPrefix: ['build'], tool: 'kustomize' },
      runCommand: execaRunner,
      concurrency: 1,
    });
    const places = rendered?.problems.map(({ check, file, line }) => ({ check, file, line }));
    assert.deepEqual(places, [
      { check: 'jail', file: 'overlays/remote/kustomization.yaml', line: 6 },
      { check: 'jail', file: 'overlays/remote/kustomization.yaml', line: 5 },
    ]);
  });

  it('puts a refused downgrade on the line of the tag', async () => {
    const file = 'overlays/remote/kustomization.yaml';
    const edits = parseImageUpdates('ghcr.io/acme/web=1.4.0').map((update) => ({
      update,
      image: update.name,
      mode: 'update' as const,
      deployed: [],
    }));
    const applied = await applyBump(dir, [{ file, edits, overlays: [] }], false);
    assert.equal(applied.problems.length, 1);
    assert.equal(applied.problems[0]?.file, file);
    assert.equal(applied.problems[0]?.line, 10);
    assert.match(applied.problems[0]?.message ?? '', /refusing to downgrade ghcr\.io\/acme\/web/);
  });
});
