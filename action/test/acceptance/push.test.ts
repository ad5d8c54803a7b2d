/**
 * The acceptance, run as a GitHub runner runs the action: the bundled
 * `action/dist/index.js` as a child process against a config repository on disk.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bareConfigRepo, commitsOf, fileAt, git, runAction, tempDir } from '../helpers.ts';

const staging = 'apps/web/overlays/staging/kustomization.yaml';
const production = 'apps/web/overlays/production/kustomization.yaml';

describe('the bundled action in push mode', () => {
  let dir = '';
  let cleanup = async () => {};
  let url = '';
  let bare = '';
  before(async () => {
    ({ dir, cleanup } = await tempDir('accept'));
    url = await bareConfigRepo(dir);
    bare = join(dir, 'origin.git');
  });
  after(() => cleanup());

  it('lands exactly one commit that changes only the tag lines, keeps comments, and sets the outputs', async () => {
    const before = await commitsOf(bare);
    const oldStaging = await fileAt(bare, staging);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      // GitHub gives a release's `created_at` as the date of its commit.
      event: {
        action: 'published',
        release: { tag_name: 'v1.5.0', created_at: '2026-12-04T19:59:29Z' },
      },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const after = await commitsOf(bare);
    assert.equal(after.length, before.length + 1);
    assert.equal(run.outputs['commit-sha'], after[0]);
    assert.equal(run.outputs.changed, 'true');
    assert.deepEqual(run.outputs['changed-paths']?.split('\n'), [production, staging]);
    const diff = await git([
      '--git-dir',
      bare,
      'diff',
      '--unified=0',
      `${after[0]}^`,
      after[0] ?? '',
    ]);
    const changed = diff.split('\n').filter((line) => /^[-+][^-+]/.test(line));
    assert.deepEqual(changed, [
      '-    newTag: 1.4.1 # {"$imagepolicy": "flux-system:web:tag"}',
      '+    newTag: 1.5.0 # {"$imagepolicy": "flux-system:web:tag"}',
      '-    newTag: 1.4.2 # {"$imagepolicy": "flux-system:web:tag"}',
      '+    newTag: 1.5.0 # {"$imagepolicy": "flux-system:web:tag"}',
    ]);
    assert.equal(await fileAt(bare, staging), oldStaging.replace('newTag: 1.4.2', 'newTag: 1.5.0'));
    assert.match(
      await fileAt(bare, staging),
      /# Bumped by the release workflow of the web repository\./,
    );
    const message = await git(['--git-dir', bare, 'log', '-1', '--format=%B']);
    assert.equal(
      message.trimEnd(),
      [
        'Bump ghcr.io/acme/web to 1.5.0',
        '',
        'Kustodian-Source-Repository: acme/web',
        'Kustodian-Source-Commit: 5f1d3c0ffee5f1d3c0ffee5f1d3c0ffee5f1d3c0',
        'Kustodian-Source-Time: 2026-12-04T19:59:29Z',
        'Kustodian-Workflow-Run: https://github.com/acme/web/actions/runs/1234',
      ].join('\n'),
    );
    assert.match(
      run.summary,
      /- {6}- image: ghcr\.io\/acme\/web:1\.4\.2\n\+ {6}- image: ghcr\.io\/acme\/web:1\.5\.0/,
    );
  });

  it('does nothing on a second run with the same input', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await commitsOf(bare), before);
    assert.equal(run.outputs.changed, 'false');
    assert.equal(run.outputs['commit-sha'], '');
  });

  it('fails on an invalid tag, naming it, and commits nothing', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=-bad!', commit: 'push' },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /images.*-bad!/);
    assert.deepEqual(await commitsOf(bare), before);
  });

  it('fails on a path outside the repository, naming it, and commits nothing', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: {
        repository: url,
        images: 'ghcr.io/acme/web=1.6.0',
        paths: '../elsewhere',
        commit: 'push',
      },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /paths.*\.\./);
    assert.deepEqual(await commitsOf(bare), before);
  });

  it('fails on a broken overlay, naming it, and commits nothing', async () => {
    const { dir: other, cleanup: done } = await tempDir('broken');
    try {
      const broken = await bareConfigRepo(other, {
        'apps/web/overlays/staging/kustomization.yaml':
          'resources:\n  - ../../base\n  - missing.yaml\n',
      });
      const run = await runAction({
        inputs: { repository: broken, images: 'ghcr.io/acme/web=1.6.0', commit: 'push' },
      });
      assert.notEqual(run.code, 0);
      assert.match(run.stdout, /apps\/web\/overlays\/staging/);
      assert.match(run.stdout, /missing\.yaml/);
      assert.equal((await commitsOf(join(other, 'origin.git'))).length, 1);
    } finally {
      await done();
    }
  });

  it('refuses to push from pull_request_target and commits nothing', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.7.0', commit: 'push' },
      env: { GITHUB_EVENT_NAME: 'pull_request_target' },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /refusing to commit from a pull_request_target event/);
    assert.deepEqual(await commitsOf(bare), before);
  });

  it('refuses to push from a pull request of a fork', async () => {
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.7.0', commit: 'push' },
      env: { GITHUB_EVENT_NAME: 'pull_request' },
      event: {
        pull_request: {
          head: { repo: { full_name: 'mallory/web' } },
          base: { repo: { full_name: 'acme/web' } },
        },
      },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /fork \(mallory\/web\)/);
  });

  it('refuses to push from a workflow_run after a pull request of a fork and commits nothing', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.7.0', commit: 'push' },
      env: { GITHUB_EVENT_NAME: 'workflow_run' },
      event: {
        action: 'completed',
        workflow_run: {
          event: 'pull_request',
          head_branch: 'main',
          head_repository: { full_name: 'mallory/web' },
          repository: { full_name: 'acme/web' },
          pull_requests: [],
        },
      },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /workflow_run of a fork's code \(triggered by pull_request\)/);
    assert.equal(run.outputs['commit-sha'], '');
    assert.deepEqual(await commitsOf(bare), before);
  });

  it('validates and shows the diff without committing in none mode', async () => {
    const before = await commitsOf(bare);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/api=2.1.0', commit: 'none' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.deepEqual(await commitsOf(bare), before);
    assert.equal(run.outputs.changed, 'true');
    assert.equal(run.outputs['commit-sha'], '');
    assert.match(run.summary, /\+ {6}- image: ghcr\.io\/acme\/api:2\.1\.0/);
  });

  it('refuses a semver downgrade unless allowed', async () => {
    const before = await commitsOf(bare);
    const refused = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.4.0', commit: 'push' },
    });
    assert.notEqual(refused.code, 0);
    assert.match(
      refused.stdout,
      /refusing to downgrade ghcr\.io\/acme\/web from 1\.5\.0 to 1\.4\.0/,
    );
    assert.deepEqual(await commitsOf(bare), before);
    const allowed = await runAction({
      inputs: {
        repository: url,
        images: 'ghcr.io/acme/web=1.4.0',
        commit: 'push',
        'allow-downgrade': 'true',
      },
    });
    assert.equal(allowed.code, 0, allowed.stdout);
    assert.equal((await commitsOf(bare)).length, before.length + 1);
  });

  it('fails when an image matches no container of any overlay', async () => {
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/nothing=1.0.0', commit: 'none' },
    });
    assert.notEqual(run.code, 0);
    assert.match(run.stdout, /"ghcr\.io\/acme\/nothing" matches no container/);
  });
});
