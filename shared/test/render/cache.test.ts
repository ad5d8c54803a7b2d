import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execaRunner, type RunCommand } from '../../src/exec.ts';
import { type KustomizeCommand, kustomizeCommandFor } from '../../src/kustomize/locate.ts';
import { noRemote, parseRemoteAllowance } from '../../src/kustomize/remote-allowance.ts';
import { createRenderCache } from '../../src/render/cache.ts';
import { defaultRenderLimits, render } from '../../src/render/render.ts';
import { configMap, kustomizeBinary, type TempTree, tempTree } from '../kustomize/tree.ts';

describe('rendering with a cache of earlier builds', () => {
  let tree: TempTree;
  let kustomize: KustomizeCommand;
  let builds = 0;
  const counting: RunCommand = (command, args, options) => {
    builds++;
    return execaRunner(command, args, options);
  };
  const options = (cache = createRenderCache()) => ({
    ...defaultRenderLimits,
    kustomize,
    runCommand: counting,
    cache,
  });
  const names = (objects: readonly { object: { metadata: { name: string } } }[]) =>
    objects.map((o) => o.object.metadata.name);

  before(async () => {
    kustomize = kustomizeCommandFor(await kustomizeBinary());
    tree = await tempTree({
      'base/kustomization.yaml': 'resources:\n  - config.yaml\n',
      'base/config.yaml': configMap('app'),
      'prod/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: prod-\n',
      'test/kustomization.yaml': 'resources:\n  - ../base\nnamePrefix: test-\n',
    });
  });
  after(() => tree.cleanup());

  it('runs kustomize once for the same checkout and path, and returns fresh objects each time', async () => {
    const cache = createRenderCache();
    builds = 0;
    const first = await render(tree.root, 'prod', noRemote, options(cache));
    const again = await render(tree.root, 'prod', noRemote, options(cache));
    assert.equal(builds, 1);
    assert.deepEqual(names(again.objects), ['prod-app']);
    assert.deepEqual(again.objects, first.objects);
    assert.notEqual(again.objects[0]?.object, first.objects[0]?.object, 'not the same object');
  });

  it('builds another path of the same checkout on its own', async () => {
    const cache = createRenderCache();
    builds = 0;
    await render(tree.root, 'prod', noRemote, options(cache));
    const other = await render(tree.root, 'test', noRemote, options(cache));
    assert.equal(builds, 2);
    assert.deepEqual(names(other.objects), ['test-app']);
  });

  it('builds every time when remote resources are allowed, since a remote can move', async () => {
    const cache = createRenderCache();
    builds = 0;
    const any = parseRemoteAllowance('*');
    await render(tree.root, 'prod', any, options(cache));
    await render(tree.root, 'prod', any, options(cache));
    assert.equal(builds, 2);
  });

  it('forgets the least recently used builds beyond its size', () => {
    const cache = createRenderCache(10);
    cache.set('a', 'aaaa');
    cache.set('b', 'bbbb');
    assert.equal(cache.get('a'), 'aaaa'); // a is now the most recently used
    cache.set('c', 'cccc');
    assert.equal(cache.get('b'), undefined);
    assert.equal(cache.get('a'), 'aaaa');
    assert.equal(cache.get('c'), 'cccc');
    cache.set('huge', 'x'.repeat(11));
    assert.equal(cache.get('huge'), undefined, 'a build larger than the cache is not kept');
  });
});
