import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBump } from '../../src/bump/plan.ts';
import { compareVersionTags } from '../../src/bump/semver.ts';

const web = { name: 'ghcr.io/acme/web', newTag: '2.0.0' };

describe('planning a bump', () => {
  const base = {
    dir: 'base',
    file: 'base/kustomization.yaml',
    images: [{ name: 'ghcr.io/acme/web', newTag: '1.0.0' }],
  };
  const staging = { dir: 'staging', file: 'staging/kustomization.yaml', images: [] };
  const prod = {
    dir: 'prod',
    file: 'prod/kustomization.yaml',
    images: [{ name: 'ghcr.io/acme/web', newTag: '1.0.0' }],
  };
  const names = new Set(['ghcr.io/acme/web']);

  it('edits the nearest kustomization that has an entry, a shared base once', () => {
    const plan = planBump(
      [web],
      [
        { overlay: 'staging', tree: [staging, base], imageNames: names },
        { overlay: 'prod', tree: [prod, base], imageNames: names },
      ],
      undefined,
    );
    assert.deepEqual(
      plan.targets.map((t) => [t.file, t.allowAdd]),
      [
        ['base/kustomization.yaml', false],
        ['prod/kustomization.yaml', false],
      ],
    );
    assert.deepEqual(plan.affectedOverlays, ['prod', 'staging']);
  });

  it('adds an entry to the overlay itself when no kustomization of its tree has one', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'staging', tree: [staging], imageNames: names }],
      undefined,
    );
    assert.deepEqual(
      plan.targets.map((t) => [t.file, t.allowAdd]),
      [['staging/kustomization.yaml', true]],
    );
  });

  it('finds an image renamed by an entry of the tree', () => {
    const renamed = {
      ...prod,
      images: [{ name: 'web', newName: 'ghcr.io/acme/web', newTag: '1.0.0' }],
    };
    const plan = planBump(
      [{ name: 'web', newTag: '2.0.0' }],
      [{ overlay: 'prod', tree: [renamed], imageNames: names }],
      undefined,
    );
    assert.deepEqual(
      plan.targets.map((t) => t.file),
      ['prod/kustomization.yaml'],
    );
  });

  it('fails an update that matches no container', () => {
    const plan = planBump(
      [{ name: 'ghcr.io/acme/none', newTag: '1.0.0' }],
      [{ overlay: 'prod', tree: [prod], imageNames: names }],
      undefined,
    );
    assert.equal(plan.targets.length, 0);
    assert.match(plan.problems[0]?.message ?? '', /matches no container/);
  });

  it('writes to the files the paths input selects instead', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'prod', tree: [prod, base], imageNames: names }],
      ['base/kustomization.yaml'],
    );
    assert.deepEqual(
      plan.targets.map((t) => [t.file, t.allowAdd]),
      [['base/kustomization.yaml', true]],
    );
  });
});

describe('comparing version tags', () => {
  it('orders semantic versions, prereleases below releases', () => {
    assert.equal(compareVersionTags('1.10.0', '1.9.9'), 1);
    assert.equal(compareVersionTags('v2.0.0', '2.0.0'), 0);
    assert.equal(compareVersionTags('2.0.0-rc.1', '2.0.0'), -1);
    assert.equal(compareVersionTags('2.0.0-rc.10', '2.0.0-rc.9'), 1);
  });

  it('has no order for tags that are not versions', () => {
    assert.equal(compareVersionTags('abc123', '1.0.0'), undefined);
    assert.equal(compareVersionTags('1.0', '1.0.0'), undefined);
  });
});
