/**
 * Race safety and token secrecy against a real git server over HTTPS: sixteen runs of the
 * bundled action, with the default inputs (no max-attempts, the default retry-timeout), bump
 * sixteen different images of one kustomization file at the same time, in `push` mode; every
 * one lands exactly once, no commit is lost, nothing is forced, and the token never shows.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { commitsOf, fileAt, git, runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, seedRepository, startHttpsGit } from './https-git.ts';
import { apps, raceRepository } from './race-repository.ts';

describe('concurrent runs in push mode against a git server over HTTPS', () => {
  let dir = '';
  let cleanup = async () => {};
  let https: HttpsGit;
  const token = `ghs_${randomBytes(18).toString('base64url')}`;
  before(async () => {
    ({ dir, cleanup } = await tempDir('race'));
    https = await startHttpsGit(dir, token);
    await seedRepository(https, dir, 'shop', raceRepository());
    const bare = https.barePath('shop');
    await git(['--git-dir', bare, 'config', 'receive.denyNonFastForwards', 'true']);
    await git(['--git-dir', bare, 'config', 'core.logAllRefUpdates', 'always']);
  });
  after(async () => {
    await https?.server.stop();
    await cleanup();
  });

  it('lands all sixteen bumps with the default inputs, each once, loses no commit and never forces', async () => {
    const runs = await Promise.all(
      apps.map((app) =>
        runAction({
          inputs: {
            repository: https.url('shop'),
            token,
            images: `registry.example.com/${app}=2.0.0`,
          },
          env: { GIT_SSL_CAINFO: https.caFile },
        }),
      ),
    );
    for (const run of runs) assert.equal(run.code, 0, run.stdout + run.stderr);
    // The runs that lost a race re-planned on the new head building only what the bumps reach.
    const retried = runs.filter((run) => /planned the bump again/.test(run.stdout));
    assert.ok(retried.length > 0, 'some run lost a race');
    for (const run of retried) {
      assert.doesNotMatch(run.stdout, /built every overlay again/);
      assert.match(run.stdout, /built again only the overlays they reach/);
    }
    const bare = https.barePath('shop');
    const commits = await commitsOf(bare);
    assert.equal(commits.length, 1 + apps.length);
    const landed = new Set(runs.map((run) => run.outputs['commit-sha']));
    assert.deepEqual([...landed].sort(), commits.slice(0, apps.length).sort());
    const file = await fileAt(bare, 'production/kustomization.yaml');
    for (const app of apps) {
      assert.match(
        file,
        new RegExp(
          `  # ${app}, bumped by its own pipeline\\n  - name: registry.example.com/${app}\\n    newTag: 2.0.0\\n`,
        ),
      );
    }
    // Linear history: every commit has exactly one parent, so none was replaced by a force push.
    const parents = (await git(['--git-dir', bare, 'rev-list', '--parents', 'main']))
      .trim()
      .split('\n');
    assert.ok(parents.slice(0, -1).every((line) => line.split(' ').length === 2));
    // Each bump is in exactly one commit, and every commit is one run's bump.
    const subjects = (await git(['--git-dir', bare, 'log', '--format=%s', 'main'])).split('\n');
    for (const app of apps) {
      const own = subjects.filter((line) => line.includes(`registry.example.com/${app} `));
      assert.equal(own.length, 1, `${app} landed once: ${subjects.join(' | ')}`);
    }
    // The server refuses non-fast-forwards and logs every update of main: none was forced.
    const reflog = await git(['--git-dir', bare, 'reflog', 'show', '--format=%H', 'main']);
    assert.equal(reflog.trim().split('\n').length, apps.length, 'one update per bump');
  });

  it('never shows the token in stdout, stderr, outputs or summary', async () => {
    const run = await runAction({
      inputs: {
        repository: https.url('shop'),
        token,
        images: 'registry.example.com/app1=2.1.0',
        commit: 'none',
      },
      env: { GIT_SSL_CAINFO: https.caFile },
    });
    const refused = await runAction({
      inputs: {
        repository: https.url('shop'),
        token: `${token}-wrong`,
        images: 'registry.example.com/app1=2.1.0',
      },
      env: { GIT_SSL_CAINFO: https.caFile },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.notEqual(refused.code, 0);
    const encoded = Buffer.from(`x-access-token:${token}`).toString('base64');
    for (const result of [run, refused]) {
      // `::add-mask::` lines are the runner's masking commands; the runner never prints them.
      const stdout = result.stdout
        .split('\n')
        .filter((line) => !line.startsWith('::add-mask::'))
        .join('\n');
      const seen = [stdout, result.stderr, JSON.stringify(result.outputs), result.summary].join(
        '\n',
      );
      assert.ok(!seen.includes(token), 'the token leaked');
      assert.ok(!seen.includes(encoded.slice(0, 24)), 'the encoded token leaked');
    }
    assert.match(refused.stdout, /git clone/);
  });
});
