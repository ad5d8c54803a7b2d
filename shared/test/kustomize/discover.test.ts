import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { StepError } from '../../src/errors.ts';
import { findOverlays } from '../../src/kustomize/discover.ts';
import { jailOverlay } from '../../src/kustomize/jail.ts';
import {
  blockingJailReads,
  type JailReads,
  memoizedJailReads,
} from '../../src/kustomize/jail-reads.ts';
import { configMap, type TempTree, tempTree } from './tree.ts';

describe('findOverlays', () => {
  let tree: TempTree;

  before(async () => {
    tree = await tempTree({
      'base/kustomization.yaml': 'resources:\n  - config.yaml\n',
      'base/config.yaml': configMap('app'),
      'components/monitoring/kustomization.yaml': 'kind: Component\n',
      // A component nothing includes, whose patch would find nothing to patch on its own.
      'components/unused/kustomization.yaml':
        'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n  - patch: |\n      kind: Deployment\n      metadata: {name: absent}\n',
      'generators/settings/kustomization.yaml': 'resources: []\n',
      'overlays/dev/kustomization.yml': 'resources:\n  - ../../base\n',
      'overlays/prod/Kustomization':
        'resources:\n  - ../../base\n  - https://github.com/org/repo//x?ref=v1\ncomponents:\n  - ../../components/monitoring\ngenerators:\n  - ../../generators/settings\n',
      'overlays/staging/kustomization.yaml': 'resources:\n  - ../prod\n',
      'apps/web/kustomization.yaml': 'resources:\n  - ../../base\n',
      'apps/broken/kustomization.yaml': 'resources: [unclosed\n',
      'apps/self/kustomization.yaml': 'resources:\n  - .\n',
      'docs/readme.md': 'not a kustomization\n',
      '.git/modules/kustomization.yaml': 'resources: []\n',
      'node_modules/pkg/kustomization.yaml': 'resources: []\n',
    });
    // A symlinked directory is not searched.
    await symlink(join(tree.root, 'overlays'), join(tree.root, 'overlays-link'));
  });
  after(() => tree.cleanup());

  it('finds the same overlays through memoized reads, which the jail walks then answer from', async () => {
    const parsed: string[] = [];
    const counting: JailReads = {
      ...blockingJailReads,
      readKustomization: (file, maxBytes) => {
        parsed.push(file);
        return blockingJailReads.readKustomization(file, maxBytes);
      },
    };
    const reads = memoizedJailReads(counting);
    const overlays = await findOverlays(tree.root, { reads });
    assert.deepEqual(overlays, await findOverlays(tree.root));
    const afterSearch = parsed.length;
    for (const overlay of overlays)
      await jailOverlay({ root: tree.root, overlayDir: overlay, reads });
    assert.equal(parsed.length, afterSearch);
    assert.equal(new Set(parsed).size, parsed.length);
  });

  it('lists every kustomization no other one builds on, sorted', async () => {
    assert.deepEqual(await findOverlays(tree.root), [
      'apps/broken',
      'apps/self',
      'apps/web',
      'overlays/dev',
      'overlays/staging',
    ]);
  });

  it('keeps what the include globs match and drops what the exclude globs match', async () => {
    assert.deepEqual(await findOverlays(tree.root, { include: ['overlays/*'] }), [
      'overlays/dev',
      'overlays/staging',
    ]);
    assert.deepEqual(
      await findOverlays(tree.root, { include: ['**/*'], exclude: ['apps/b*', 'overlays/**'] }),
      ['apps/self', 'apps/web'],
    );
  });

  it('skips a Component that nothing includes instead of listing it as an overlay', async () => {
    assert.ok(!(await findOverlays(tree.root)).some((name) => name.startsWith('components/')));
  });

  it('reads patterns in order, the last match deciding, as @actions/glob does', async () => {
    assert.deepEqual(await findOverlays(tree.root, { include: ['!overlays/*', '!apps/b*'] }), [
      'apps/self',
      'apps/web',
    ]);
    assert.deepEqual(
      await findOverlays(tree.root, { include: ['overlays/*', '!overlays/*', 'overlays/dev'] }),
      ['overlays/dev'],
    );
    assert.deepEqual(await findOverlays(tree.root, { include: ['!!overlays/dev'] }), [
      'overlays/dev',
    ]);
  });

  it('names the root itself `.` when it is an overlay', async () => {
    const single = await tempTree({
      'kustomization.yaml': 'resources:\n  - base\n',
      'base/kustomization.yaml': '',
    });
    try {
      assert.deepEqual(await findOverlays(single.root), ['.']);
    } finally {
      await single.cleanup();
    }
  });

  it('gives up past maxEntries instead of walking forever', async () => {
    await assert.rejects(findOverlays(tree.root, { maxEntries: 5 }), (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, 'discover');
      assert.match(error.message, /more than 5 directory entries/);
      return true;
    });
  });
});
