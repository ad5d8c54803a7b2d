import assert from 'node:assert/strict';
import { symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { checkOverlayJail } from '../../src/kustomize/jail.ts';
import {
  directJailReads,
  type JailReads,
  memoizedJailReads,
} from '../../src/kustomize/jail-reads.ts';
import { configMap, type TempTree, tempTree } from './tree.ts';

/** Two overlays on one base with a shared component, and one overlay with a symlink out. */
const files = {
  'base/kustomization.yaml': 'resources:\n  - web.yaml\ncomponents:\n  - ../components/labels\n',
  'base/web.yaml': configMap('web'),
  'components/labels/kustomization.yaml':
    'apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nlabels:\n  - pairs:\n      team: web\n',
  'overlays/staging/kustomization.yaml': 'resources:\n  - ../../base\n',
  'overlays/production/kustomization.yaml': 'resources:\n  - ../../base\n',
  'overlays/leaky/kustomization.yaml': 'resources:\n  - ../../base\n  - etc/hostname\n',
};
const overlays = ['overlays/staging', 'overlays/production', 'overlays/leaky'];

/** Direct reads that count how often each kustomization file is parsed. */
function countingReads(): { reads: JailReads; parses: Map<string, number> } {
  const parses = new Map<string, number>();
  const reads: JailReads = {
    ...directJailReads,
    readKustomization: (file, maxBytes) => {
      parses.set(file, (parses.get(file) ?? 0) + 1);
      return directJailReads.readKustomization(file, maxBytes);
    },
  };
  return { reads, parses };
}

describe('memoized jail reads', () => {
  let tree: TempTree | undefined;
  afterEach(async () => {
    await tree?.cleanup();
    tree = undefined;
  });

  it('find exactly the violations that reading straight from disk finds', async () => {
    tree = await tempTree(files);
    await symlink('../../../../etc', join(tree.root, 'overlays/leaky/etc'));
    const root = tree.root;
    const direct = await Promise.all(
      overlays.map((overlayDir) => checkOverlayJail({ root, overlayDir })),
    );
    const reads = memoizedJailReads();
    const memoized = await Promise.all(
      overlays.map((overlayDir) => checkOverlayJail({ root, overlayDir, reads })),
    );
    assert.deepEqual(memoized, direct);
    assert.deepEqual(
      memoized.map((violations) => violations.map((v) => `${v.kind} ${v.file}`)),
      [
        [],
        [],
        [
          'symlink-outside-root overlays/leaky/etc',
          'outside-root overlays/leaky/kustomization.yaml',
        ],
      ],
    );
  });

  it('report what a shared base breaks once for every overlay that builds on it', async () => {
    tree = await tempTree({
      ...files,
      'base/kustomization.yaml': `${files['base/kustomization.yaml']}helmCharts:\n  - name: web\n`,
    });
    const root = tree.root;
    const reads = memoizedJailReads();
    const found = [];
    for (const overlayDir of overlays)
      found.push(await checkOverlayJail({ root, overlayDir, reads }));
    const direct = await Promise.all(
      overlays.map((overlayDir) => checkOverlayJail({ root, overlayDir })),
    );
    assert.deepEqual(found, direct);
    for (const violations of found) {
      assert.deepEqual(
        violations.map((v) => `${v.file} ${v.field}`),
        ['base/kustomization.yaml helmCharts'],
      );
    }
  });

  it('parse a base and a component shared by several overlays once', async () => {
    tree = await tempTree(files);
    const { reads, parses } = countingReads();
    const memoized = memoizedJailReads(reads);
    for (const overlayDir of overlays) {
      await checkOverlayJail({ root: tree.root, overlayDir, reads: memoized });
    }
    const counts = Object.fromEntries(
      [...parses].map(([file, count]) => [file.slice(tree!.root.length + 1), count]),
    );
    assert.deepEqual(counts, {
      'overlays/staging/kustomization.yaml': 1,
      'base/kustomization.yaml': 1,
      'components/labels/kustomization.yaml': 1,
      'overlays/production/kustomization.yaml': 1,
      'overlays/leaky/kustomization.yaml': 1,
    });
  });

  it('read again when each check gets fresh reads, as after an edit', async () => {
    tree = await tempTree(files);
    const { reads, parses } = countingReads();
    for (const overlayDir of overlays.slice(0, 2)) {
      await checkOverlayJail({ root: tree.root, overlayDir, reads: memoizedJailReads(reads) });
    }
    assert.equal(parses.get(join(tree.root, 'base/kustomization.yaml')), 2);
  });
});
