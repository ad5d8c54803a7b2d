import assert from 'node:assert/strict';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hidden } from '@kustodian/shared/source/credentials';
import { SourceError } from '@kustodian/shared/source/failure';
import type { SourceRequest } from '@kustodian/shared/source/request';
import { createSourceStore, type SourceStore } from '@kustodian/shared/source/store';
import { type GitFixture, startGitFixture } from './git-fixture.ts';

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe('SourceStore', () => {
  let fx: GitFixture;
  let first: string;
  let second: string;
  let storeCount = 0;
  const main = (repo = 'app'): SourceRequest => ({
    url: fx.repoUrl(repo),
    ref: { kind: 'branch', name: 'main' },
    credentials: fx.credentials(),
  });
  const newStore = async (maxBytes = 1_000_000) => {
    const deps = await fx.deps();
    storeCount += 1;
    const workDir = join(fx.dir, `store-${storeCount}`);
    return { deps, workDir, store: await createSourceStore({ ...deps, workDir, maxBytes }) };
  };
  /** Requests the server answered for `repo` that fetch objects (`rpc`) or list refs (`advertise`). */
  const uploads = (repo: string, phase: 'rpc' | 'advertise') =>
    fx.server
      .requests()
      .filter(
        (r) => r.repo === `${repo}.git` && r.service === 'git-upload-pack' && r.phase === phase,
      );

  before(async () => {
    fx = await startGitFixture();
    const files = { 'a.txt': 'one\n', 'deploy/kustomization.yaml': 'resources: []\n' };
    first = await fx.commit('app', files, 'First\n\nKustodian-Images: web=1.2.3');
    second = await fx.commit('app', { 'a.txt': 'two\n' });
  });
  after(() => fx.close());

  it('checks out exactly the requested commit, without .git', async () => {
    const { store } = await newStore();
    const artifact = await store.checkout(main(), first);
    assert.equal(artifact.commit, first);
    assert.equal(artifact.revision, `main@sha1:${first}`);
    assert.equal(artifact.url, fx.repoUrl('app'));
    assert.equal(artifact.message, 'First\n\nKustodian-Images: web=1.2.3\n');
    const committed = await fx.git('app', ['show', '--no-patch', '--format=%ct', first]);
    assert.equal(
      artifact.committedAt,
      new Date(Number(committed) * 1000).toISOString().replace('.000Z', 'Z'),
    );
    assert.equal(await readFile(join(artifact.dir, 'a.txt'), 'utf8'), 'one\n');
    assert.equal(
      await readFile(join(artifact.dir, 'deploy/kustomization.yaml'), 'utf8'),
      'resources: []\n',
    );
    assert.deepEqual((await readdir(artifact.dir)).sort(), ['a.txt', 'deploy']);
    const later = await store.checkout(main(), second);
    assert.equal(await readFile(join(later.dir, 'a.txt'), 'utf8'), 'two\n');
    assert.notEqual(later.dir, artifact.dir);
  });

  it('reads the commit time of the committer, not of the author, with the message', async () => {
    const { store } = await newStore();
    await fx.git('dated', [
      'commit',
      '--quiet',
      '--allow-empty',
      '-m',
      'dated',
      '--date=2001-02-03T04:05:06+07:00',
    ]);
    await fx.push('dated', ['main']);
    const dated = (await fx.git('dated', ['rev-parse', 'HEAD'])).trim();
    const [author, committer] = (
      await fx.git('dated', ['show', '--no-patch', '--format=%at %ct', dated])
    )
      .trim()
      .split(' ')
      .map((seconds) => new Date(Number(seconds) * 1000).toISOString().replace('.000Z', 'Z'));
    assert.equal(author, '2001-02-02T21:05:06Z');
    const artifact = await store.checkout(main('dated'), dated);
    assert.equal(artifact.committedAt, committer);
    assert.equal(artifact.message, 'dated\n');
  });

  it('fetches once for concurrent checkouts of the same commit and reuses the directory later', async () => {
    const { store } = await newStore();
    fx.server.clearRequests();
    const tag = { ...main(), ref: { kind: 'tag', name: 'v1' } } as const;
    const [a, b] = await Promise.all([store.checkout(main(), first), store.checkout(tag, first)]);
    assert.equal(uploads('app', 'rpc').length, 1);
    assert.equal(uploads('app', 'advertise').length, 1);
    assert.equal(a.dir, b.dir);
    assert.equal(b.revision, `v1@sha1:${first}`);
    assert.equal(b.message, a.message);
    assert.equal(b.committedAt, a.committedAt);
    const c = await store.checkout(main(), first);
    assert.equal(c.dir, a.dir);
    assert.equal(uploads('app', 'rpc').length, 1);
    assert.deepEqual(store.stats(), { fetches: 1, cacheHits: 2, failures: 0, checkouts: 1 });
  });

  it('removes a checkout when the last reference is released, and fetches it again when asked', async () => {
    const { store } = await newStore();
    const a = await store.checkout(main(), first);
    const b = await store.checkout(main(), first);
    await store.release(a);
    await store.release(a);
    assert.ok(await exists(a.dir), 'a second release of the same artifact must not drop another');
    await store.release(b);
    assert.equal(await exists(a.dir), false);
    assert.equal(store.stats().checkouts, 0);
    fx.server.clearRequests();
    const again = await store.checkout(main(), first);
    assert.equal(await readFile(join(again.dir, 'a.txt'), 'utf8'), 'one\n');
    assert.equal(uploads('app', 'rpc').length, 1);
    await store.release({ ...again });
    assert.ok(await exists(again.dir), 'a copy of an artifact holds no reference');
  });

  it('does not share a checkout with a caller whose credentials differ', async () => {
    const { store } = await newStore();
    await store.checkout(main(), first);
    const stranger = {
      ...main(),
      credentials: hidden({ username: 'x', password: 'not-the-password' }),
    };
    await assert.rejects(store.checkout(stranger, first), (error: unknown) => {
      assert.ok(error instanceof SourceError);
      assert.equal(error.reason, 'AuthFailed');
      assert.ok(!error.message.includes('not-the-password'));
      return true;
    });
    assert.deepEqual(store.stats(), { fetches: 2, cacheHits: 0, failures: 1, checkouts: 1 });
  });

  it('reports a commit the server does not have as RefNotFound and leaves nothing behind', async () => {
    const { store, workDir } = await newStore();
    await assert.rejects(store.checkout(main(), 'f'.repeat(40)), (error: unknown) => {
      assert.ok(error instanceof SourceError);
      assert.equal(error.reason, 'RefNotFound');
      return true;
    });
    const [keyDir] = await readdir(workDir);
    assert.deepEqual(await readdir(join(workDir, keyDir ?? '')), []);
  });

  it('never fetches submodules: their directory stays empty and their repository is not asked', async () => {
    const lib = await fx.commit('lib', { 'lib.txt': 'library\n' });
    await fx.commit('with-submodule', {
      '.gitmodules': `[submodule "lib"]\n\tpath = vendor/lib\n\turl = ${fx.repoUrl('lib')}\n`,
    });
    await fx.git('with-submodule', [
      'update-index',
      '--add',
      '--cacheinfo',
      `160000,${lib},vendor/lib`,
    ]);
    await fx.git('with-submodule', ['commit', '--quiet', '-m', 'add submodule']);
    await fx.push('with-submodule', ['main']);
    const commit = (await fx.git('with-submodule', ['rev-parse', 'HEAD'])).trim();
    const { store } = await newStore();
    fx.server.clearRequests();
    const artifact = await store.checkout(main('with-submodule'), commit);
    assert.deepEqual(await readdir(join(artifact.dir, 'vendor/lib')), []);
    assert.ok(await exists(join(artifact.dir, '.gitmodules')));
    assert.deepEqual(
      fx.server.requests().filter((r) => r.repo === 'lib.git'),
      [],
    );
    assert.equal(uploads('with-submodule', 'rpc').length, 1);
  });

  it('refuses a commit whose files exceed the size cap and leaves nothing behind', async () => {
    const big = await fx.commit('big', { 'small.txt': 'x', 'big.bin': 'y'.repeat(5000) });
    const { store, workDir } = await newStore(4096);
    await assert.rejects(store.checkout(main('big'), big), (error: unknown) => {
      assert.ok(error instanceof SourceError);
      assert.equal(error.reason, 'TooLarge');
      assert.match(error.message, /holds 5001 bytes in 2 files, over the limit of 4096 bytes$/);
      return true;
    });
    const [keyDir] = await readdir(workDir);
    assert.deepEqual(await readdir(join(workDir, keyDir ?? '')), []);
    const fits = await (await newStore(5001)).store.checkout(main('big'), big);
    assert.equal((await readFile(join(fits.dir, 'big.bin'))).length, 5000);
  });

  it('removes checkouts an earlier process left behind', async () => {
    const { store, deps, workDir } = await newStore();
    const artifact = await store.checkout(main(), first);
    const restarted: SourceStore = await createSourceStore({ ...deps, workDir, maxBytes: 1000 });
    assert.equal(await exists(artifact.dir), false);
    assert.equal(restarted.stats().checkouts, 0);
  });
});
