import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import { applyBump } from '../../src/bump/apply.ts';
import type { RenderedImage } from '../../src/bump/deployed.ts';
import { filesWithoutEffect } from '../../src/bump/effect.ts';
import { selectKustomizations } from '../../src/bump/paths.ts';
import { type BumpPlan, type BumpTarget, planBump, type TargetEdit } from '../../src/bump/plan.ts';
import { compareVersionTags } from '../../src/bump/semver.ts';
import { tempDir } from '../helpers.ts';

const web = { name: 'ghcr.io/acme/web', newTag: '2.0.0' };
const web100 = { name: 'ghcr.io/acme/web', newTag: '1.0.0' };

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
  const running = (tag: string) => [{ name: 'ghcr.io/acme/web', tag }];
  const targets = (plan: BumpPlan) =>
    plan.targets.map((t) => [t.file, t.edits.map((edit) => `${edit.update.name} ${edit.mode}`)]);

  it("adds a new entry only to the overlay's own kustomization, never to a base (paths exclusions remove it)", () => {
    const plain = { dir: 'base', file: 'base/kustomization.yaml', images: [] };
    const plan = planBump(
      [web],
      [{ overlay: 'staging', tree: [plain], images: running('1.0.0') }],
      undefined,
    );
    assert.deepEqual(targets(plan), []);
  });

  it('edits the nearest kustomization that has an entry, a shared base once', () => {
    const plan = planBump(
      [web],
      [
        { overlay: 'staging', tree: [staging, base], images: running('1.0.0') },
        { overlay: 'prod', tree: [prod, base], images: running('1.0.0') },
      ],
      undefined,
    );
    assert.deepEqual(targets(plan), [
      ['base/kustomization.yaml', ['ghcr.io/acme/web update']],
      ['prod/kustomization.yaml', ['ghcr.io/acme/web update']],
    ]);
    assert.deepEqual(plan.affectedOverlays, ['prod', 'staging']);
    assert.deepEqual(plan.targets[0]?.overlays, ['prod', 'staging']);
  });

  it('adds an entry to the overlay itself when no kustomization of its tree has one', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'staging', tree: [staging], images: running('1.0.0') }],
      undefined,
    );
    assert.deepEqual(targets(plan), [['staging/kustomization.yaml', ['ghcr.io/acme/web add']]]);
  });

  it('finds an image renamed by an entry of the tree', () => {
    const renamed = {
      ...prod,
      images: [{ name: 'web', newName: 'ghcr.io/acme/web', newTag: '1.0.0' }],
    };
    const plan = planBump(
      [{ name: 'web', newTag: '2.0.0' }],
      [{ overlay: 'prod', tree: [renamed], images: running('1.0.0') }],
      undefined,
    );
    assert.deepEqual(targets(plan), [['prod/kustomization.yaml', ['web update']]]);
  });

  it('edits the entry that renders the image under the name the update gives, never adding a second', () => {
    const renamed = {
      ...prod,
      images: [{ name: 'web', newName: 'ghcr.io/acme/web', newTag: '1.0.0' }],
    };
    const overlay = { overlay: 'prod', tree: [renamed, base], images: running('1.0.0') };
    const plan = planBump([web], [overlay], undefined);
    assert.deepEqual(targets(plan), [['prod/kustomization.yaml', ['web update']]]);
    const edit = plan.targets[0]?.edits[0];
    assert.deepEqual(edit?.update, { name: 'web', newTag: '2.0.0' });
    assert.equal(edit?.image, 'ghcr.io/acme/web');
    assert.deepEqual(edit?.deployed, [{ overlay: 'prod', image: running('1.0.0')[0] }]);
  });

  it('leaves alone an overlay that already deploys the wanted tag, with or without an entry', () => {
    const plan = planBump(
      [web],
      [
        { overlay: 'staging', tree: [staging], images: running('2.0.0') },
        { overlay: 'prod', tree: [prod], images: running('2.0.0') },
      ],
      undefined,
    );
    assert.deepEqual(plan.targets, []);
    assert.deepEqual(plan.problems, []);
  });

  it('records what each overlay deploys, so a lower tag is judged against it', () => {
    const plan = planBump(
      [{ name: 'ghcr.io/acme/web', newTag: '1.0.0' }],
      [{ overlay: 'staging', tree: [staging], images: running('2.0.0') }],
      undefined,
    );
    assert.deepEqual(plan.targets[0]?.edits[0]?.deployed, [
      { overlay: 'staging', image: { name: 'ghcr.io/acme/web', tag: '2.0.0' } },
    ]);
  });

  it('judges a digest as set only when the overlay runs exactly that digest and no tag', () => {
    const digest = `sha256:${'a'.repeat(64)}`;
    const update = { name: 'ghcr.io/acme/web', digest };
    const overlay = (images: RenderedImage[]) => ({ overlay: 'prod', tree: [prod], images });
    const pinned = overlay([{ name: 'ghcr.io/acme/web', digest }]);
    assert.deepEqual(planBump([update], [pinned], undefined).targets, []);
    const tagged = overlay([{ name: 'ghcr.io/acme/web', tag: '1.0.0', digest }]);
    assert.equal(planBump([update], [tagged], undefined).targets.length, 1);
  });

  it('fails an update that matches no container', () => {
    const plan = planBump(
      [{ name: 'ghcr.io/acme/none', newTag: '1.0.0' }],
      [{ overlay: 'prod', tree: [prod], images: running('1.0.0') }],
      undefined,
    );
    assert.equal(plan.targets.length, 0);
    assert.match(plan.problems[0]?.message ?? '', /matches no container/);
  });

  it('writes to the files the paths input selects instead', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'staging', tree: [staging, base], images: running('1.0.0') }],
      ['base/kustomization.yaml'],
    );
    assert.deepEqual(targets(plan), [['base/kustomization.yaml', ['ghcr.io/acme/web update']]]);
  });

  it('with paths, adds an entry only where an overlay that runs the image renders it through the file', () => {
    const api = { dir: 'api', file: 'api/kustomization.yaml', images: [] };
    const plan = planBump(
      [web],
      [
        { overlay: 'staging', tree: [staging], images: running('1.0.0') },
        { overlay: 'api', tree: [api], images: [{ name: 'ghcr.io/acme/api', tag: '1.0.0' }] },
      ],
      ['api/kustomization.yaml', 'staging/kustomization.yaml'],
    );
    assert.deepEqual(targets(plan), [
      ['api/kustomization.yaml', ['ghcr.io/acme/web update-if-present']],
      ['staging/kustomization.yaml', ['ghcr.io/acme/web add']],
    ]);
  });

  it('with paths, only edits an existing entry of a file a nearer entry overrides', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'prod', tree: [prod, base], images: running('1.0.0') }],
      ['base/kustomization.yaml'],
    );
    assert.deepEqual(targets(plan), [
      ['base/kustomization.yaml', ['ghcr.io/acme/web update-if-present']],
    ]);
  });

  it('with paths, leaves a file alone when every overlay rendering through it already runs the value', () => {
    const plan = planBump(
      [web],
      [{ overlay: 'staging', tree: [staging], images: running('2.0.0') }],
      ['staging/kustomization.yaml'],
    );
    assert.deepEqual(plan.targets, []);
  });
});

describe('applying a bump', () => {
  let dir = '';
  let cleanup = async () => {};
  const file = 'overlay/kustomization.yaml';
  const original =
    'resources:\n  - ../base\nimages:\n  - name: ghcr.io/acme/api # the API\n    newTag: 1.0.0\n';
  const edit = (
    update: ImageUpdate,
    mode: TargetEdit['mode'],
    deployed: TargetEdit['deployed'] = [],
  ): TargetEdit => ({ update, image: update.name, mode, deployed });
  before(async () => {
    ({ dir, cleanup } = await tempDir('apply'));
    await mkdir(join(dir, 'overlay'));
  });
  beforeEach(() => writeFile(join(dir, file), original));
  after(() => cleanup());

  it('refuses a tag below the one the overlay deploys even when the file has no entry for it', async () => {
    const deployed = [{ overlay: 'overlay', image: { name: 'ghcr.io/acme/web', tag: '2.0.0' } }];
    const applied = await applyBump(
      dir,
      [{ file, edits: [edit(web100, 'add', deployed)], overlays: ['overlay'] }],
      false,
    );
    assert.equal(applied.problems.length, 1);
    assert.match(
      applied.problems[0]?.message ?? '',
      /^overlay\/kustomization\.yaml: refusing to downgrade ghcr\.io\/acme\/web from 2\.0\.0 to 1\.0\.0 \(overlay deploys ghcr\.io\/acme\/web:2\.0\.0\)/,
    );
    assert.equal(await readFile(join(dir, file), 'utf8'), original);
    const allowed = await applyBump(
      dir,
      [{ file, edits: [edit(web100, 'add', deployed)], overlays: ['overlay'] }],
      true,
    );
    assert.deepEqual(allowed.problems, []);
    assert.match(
      await readFile(join(dir, file), 'utf8'),
      /name: ghcr\.io\/acme\/web\n\s+newTag: 1\.0\.0/,
    );
  });

  it('fails, naming the file and the image, when an entry the plan expected is gone', async () => {
    const applied = await applyBump(
      dir,
      [{ file, edits: [edit(web100, 'update')], overlays: ['overlay'] }],
      false,
    );
    assert.deepEqual(
      applied.problems.map((problem) => problem.message),
      [
        'overlay/kustomization.yaml: cannot update image ghcr.io/acme/web: the file has no images: entry named "ghcr.io/acme/web" any more; nothing landed',
      ],
    );
    assert.deepEqual(applied.files, []);
  });

  it('edits a paths file only where it has the entry', async () => {
    const applied = await applyBump(
      dir,
      [{ file, edits: [edit(web100, 'update-if-present')], overlays: [] }],
      false,
    );
    assert.deepEqual(applied.problems, []);
    assert.deepEqual(applied.files, []);
    assert.equal(await readFile(join(dir, file), 'utf8'), original);
  });
});

describe('selecting kustomizations by the paths input', () => {
  it('reads globs in order, a later `!` glob excluding what an earlier one matched', async () => {
    const { dir, cleanup } = await tempDir('paths');
    try {
      for (const name of ['apps/web/staging', 'apps/web/prod', 'apps/api/staging']) {
        await mkdir(join(dir, name), { recursive: true });
        await writeFile(join(dir, name, 'kustomization.yaml'), 'resources: []\n');
      }
      const selected = await selectKustomizations(dir, ['apps/*/*', '!apps/*/prod']);
      assert.deepEqual(selected, {
        files: ['apps/api/staging/kustomization.yaml', 'apps/web/staging/kustomization.yaml'],
        problems: [],
      });
      const again = await selectKustomizations(dir, ['apps/*/*', '!apps/**', 'apps/api/*']);
      assert.deepEqual(again.files, ['apps/api/staging/kustomization.yaml']);
    } finally {
      await cleanup();
    }
  });
});

describe('judging an edit by what it renders', () => {
  const target = (file: string, overlays: string[]): BumpTarget => ({ file, edits: [], overlays });
  const targets = [
    target('a/k.yaml', ['a']),
    target('base/k.yaml', ['a', 'b']),
    target('x/k.yaml', []),
  ];
  const before = [
    { overlay: 'a', yaml: 'image: web:1\n' },
    { overlay: 'b', yaml: 'image: web:1\n' },
  ];

  it('finds the files whose every overlay renders as before', () => {
    const after = [
      { overlay: 'a', yaml: 'image: web:1\n' },
      { overlay: 'b', yaml: 'image: web:2\n' },
    ];
    assert.deepEqual(
      filesWithoutEffect(targets, ['a/k.yaml', 'base/k.yaml', 'x/k.yaml'], before, after),
      ['a/k.yaml'],
    );
  });

  it('never judges a file no overlay renders, nor an overlay that does not build', () => {
    const after = [{ overlay: 'a' }, { overlay: 'b', yaml: 'image: web:1\n' }];
    assert.deepEqual(filesWithoutEffect(targets, ['a/k.yaml', 'x/k.yaml'], before, after), []);
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
