import assert from 'node:assert/strict';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { reusable } from '../../src/steps/reuse.ts';
import type { RenderedOverlay } from '../../src/validate/render.ts';
import { tempDir } from '../helpers.ts';

/** A shared base, two overlays on it, and a third overlay of its own. */
const files: Record<string, string> = {
  'base/kustomization.yaml': 'resources:\n  - deployment.yaml\n',
  'base/deployment.yaml': 'kind: Deployment\n',
  'staging/kustomization.yaml': 'resources:\n  - ../base\n',
  'production/kustomization.yaml': 'resources:\n  - ../base\nimages:\n  - name: web\n',
  'tools/kustomization.yaml': 'resources:\n  - job.yaml\n',
  'tools/job.yaml': 'kind: Job\n',
  'docs/notes.md': '# notes\n',
};
const overlays = ['production', 'staging', 'tools'];
const rendered: RenderedOverlay[] = overlays.map((overlay) => ({
  overlay,
  file: `${overlay}/kustomization.yaml`,
  yaml: `# ${overlay}\n`,
  problems: [],
}));
const earlier = { overlays, rendered };

describe('what a retry keeps from the head it planned on before', () => {
  let root = '';
  let cleanup = async () => {};
  before(async () => {
    let dir = '';
    ({ dir, cleanup } = await tempDir('reuse'));
    root = await realpath(dir);
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), content);
    }
  });
  after(() => cleanup());

  it('builds again only the overlays whose tree holds a changed kustomization file', async () => {
    const own = await reusable(root, earlier, overlays, ['production/kustomization.yaml']);
    assert.deepEqual(own?.rebuild, ['production']);
    assert.deepEqual(
      own?.kept.map((result) => result.overlay),
      ['staging', 'tools'],
    );
    const shared = await reusable(root, earlier, overlays, ['base/kustomization.yaml']);
    assert.deepEqual(shared?.rebuild, ['production', 'staging']);
  });

  it('keeps every build when nothing changed', async () => {
    assert.deepEqual((await reusable(root, earlier, overlays, []))?.rebuild, []);
  });

  it('builds everything again when a resource, another file or the overlays changed', async () => {
    assert.equal(await reusable(root, earlier, overlays, ['base/deployment.yaml']), undefined);
    assert.equal(await reusable(root, earlier, overlays, ['docs/notes.md']), undefined);
    assert.equal(
      await reusable(root, earlier, ['production', 'staging'], ['tools/kustomization.yaml']),
      undefined,
    );
    // A kustomization file no overlay is built from (a new overlay's, say).
    assert.equal(await reusable(root, earlier, overlays, ['new/kustomization.yaml']), undefined);
  });
});
