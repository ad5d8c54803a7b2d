/**
 * The bump judged on what the overlays render, run as a GitHub runner runs the action (the
 * bundled `action/dist/index.js` against config repositories on disk): a tag pinned in a base
 * with no `images:` entry, an entry that renames an image, `paths` over several apps, and a
 * retry after another writer changed the entry it was about to edit.
 */
import assert from 'node:assert/strict';
import { access, chmod, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { requireBinary } from '../../../test/env/binaries.ts';
import {
  bareConfigRepo,
  commitsOf,
  exampleRepo,
  fileAt,
  git,
  runAction,
  tempDir,
} from '../helpers.ts';

const staging = 'apps/web/overlays/staging/kustomization.yaml';
const production = 'apps/web/overlays/production/kustomization.yaml';
const apiStaging = 'apps/api/overlays/staging/kustomization.yaml';
const policy = '# {"$imagepolicy": "flux-system:web:tag"}';

/** The example's file at `path`, changed by `edit`. */
async function example(path: string, edit: (text: string) => string): Promise<string> {
  return edit(await readFile(join(exampleRepo, path), 'utf8'));
}

/** The example's web overlays with their `images:` entries replaced by `images` (none when empty). */
async function webOverlays(images: (tag: string) => string): Promise<Record<string, string>> {
  const replace = (tag: string) => (text: string) =>
    text.slice(0, text.indexOf('\nimages:') + 1) + images(tag);
  return {
    [staging]: await example(staging, replace('1.4.2')),
    [production]: await example(production, replace('1.4.1')),
  };
}

/** The lines the commit `sha` of `bare` removes and adds. */
async function changedLines(bare: string, sha: string): Promise<string[]> {
  const diff = await git(['--git-dir', bare, 'diff', '--unified=0', `${sha}^`, sha]);
  return diff.split('\n').filter((line) => /^[-+]/.test(line) && !/^(\+\+\+|---) /.test(line));
}

describe('bumping what the overlays render', () => {
  let dir = '';
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('bump'));
  });
  after(() => cleanup());

  describe('a tag pinned in the base, with no images: entry', () => {
    let url = '';
    let bare = '';
    before(async () => {
      const base = 'apps/web/base/deployment.yaml';
      url = await bareConfigRepo(join(dir, 'pinned'), {
        [base]: await example(base, (text) => text.replace('web:1.0.0', 'web:2.0.0')),
        ...(await webOverlays(() => '')),
      });
      bare = join(dir, 'pinned/origin.git');
    });

    it('refuses a lower tag than the overlays deploy, and commits nothing', async () => {
      const run = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=1.0.0', commit: 'push' },
      });
      assert.notEqual(run.code, 0);
      assert.match(
        run.stdout,
        /refusing to downgrade ghcr\.io\/acme\/web from 2\.0\.0 to 1\.0\.0 \(apps\/web\/overlays\/staging deploys ghcr\.io\/acme\/web:2\.0\.0\)/,
      );
      assert.equal((await commitsOf(bare)).length, 1);
    });

    it('is a no-op for the tag the overlays already deploy: changed=false, no commit', async () => {
      const run = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=2.0.0', commit: 'push' },
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.changed, 'false');
      assert.equal(run.outputs['commit-sha'], '');
      assert.equal((await commitsOf(bare)).length, 1);
    });

    it('adds an entry to each overlay for a higher tag, and nothing else', async () => {
      const run = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=2.1.0', commit: 'push' },
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.changed, 'true');
      const entry = ['+images:', '+  - name: ghcr.io/acme/web', '+    newTag: 2.1.0'];
      assert.deepEqual(await changedLines(bare, run.outputs['commit-sha'] ?? ''), [
        ...entry,
        ...entry,
      ]);
    });
  });

  describe('an entry that renames the image the update names', () => {
    let url = '';
    let bare = '';
    before(async () => {
      const base = 'apps/web/base/deployment.yaml';
      url = await bareConfigRepo(join(dir, 'renamed'), {
        [base]: await example(base, (text) => text.replace('ghcr.io/acme/web:1.0.0', 'web:1.0.0')),
        ...(await webOverlays(
          (tag) =>
            `images:\n  - name: web\n    newName: ghcr.io/acme/web\n    newTag: ${tag} ${policy}\n`,
        )),
      });
      bare = join(dir, 'renamed/origin.git');
    });

    it('edits that entry by the name the overlays render, adding none', async () => {
      const run = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      });
      assert.equal(run.code, 0, run.stdout + run.stderr);
      assert.equal(run.outputs.changed, 'true');
      assert.deepEqual(await changedLines(bare, run.outputs['commit-sha'] ?? ''), [
        `-    newTag: 1.4.1 ${policy}`,
        `+    newTag: 1.5.0 ${policy}`,
        `-    newTag: 1.4.2 ${policy}`,
        `+    newTag: 1.5.0 ${policy}`,
      ]);
    });

    it('is a no-op when run again, and refuses a lower tag', async () => {
      const commits = await commitsOf(bare);
      const again = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      });
      assert.equal(again.code, 0, again.stdout + again.stderr);
      assert.equal(again.outputs.changed, 'false');
      const lower = await runAction({
        inputs: { repository: url, images: 'ghcr.io/acme/web=1.4.0', commit: 'push' },
      });
      assert.notEqual(lower.code, 0);
      assert.match(
        lower.stdout,
        /refusing to downgrade ghcr\.io\/acme\/web from 1\.5\.0 to 1\.4\.0/,
      );
      assert.deepEqual(await commitsOf(bare), commits);
    });
  });

  it('lands nothing when the edit changes no rendered output: changed=false, no commit', async () => {
    const pin = [
      '  - target:',
      '      kind: Deployment',
      '      name: web',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/template/spec/containers/0/image',
      '        value: ghcr.io/acme/web:stable',
      '',
    ].join('\n');
    const base = 'apps/web/base/kustomization.yaml';
    const overlays = await webOverlays(() => '');
    const url = await bareConfigRepo(join(dir, 'patched'), {
      [base]: await example(
        base,
        (text) => `${text}\nimages:\n  - name: ghcr.io/acme/web\n    newTag: 1.4.0\n`,
      ),
      [staging]: `${overlays[staging]}patches:\n${pin}`,
      [production]: `${overlays[production]}${pin}`,
    });
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs.changed, 'false');
    assert.equal(run.outputs['commit-sha'], '');
    assert.match(
      run.stdout,
      /apps\/web\/base\/kustomization\.yaml: the edit changes no rendered output/,
    );
    assert.equal((await commitsOf(join(dir, 'patched/origin.git'))).length, 1);
  });

  it('with paths over several apps, adds no entry where no overlay renders the image', async () => {
    const url = await bareConfigRepo(join(dir, 'paths'));
    const bare = join(dir, 'paths/origin.git');
    const run = await runAction({
      inputs: {
        repository: url,
        images: 'ghcr.io/acme/web=1.5.0',
        paths: 'apps/*/overlays/staging',
        commit: 'push',
      },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(run.outputs['changed-paths'], staging);
    assert.deepEqual(await changedLines(bare, run.outputs['commit-sha'] ?? ''), [
      `-    newTag: 1.4.2 ${policy}`,
      `+    newTag: 1.5.0 ${policy}`,
    ]);
    assert.equal(
      await fileAt(bare, apiStaging),
      await readFile(join(exampleRepo, apiStaging), 'utf8'),
    );
  });

  it('after losing a race to a commit that renamed the entry, plans again and lands every target', async () => {
    const url = await bareConfigRepo(join(dir, 'race'));
    const bare = join(dir, 'race/origin.git');
    const work = join(dir, 'race/concurrent');
    await git(['clone', '-q', url, work]);
    await writeFile(join(work, staging), await example(staging, renamedStaging));
    await git(
      ['-c', 'user.name=other', '-c', 'user.email=other@example.com', 'commit', '-qam', 'rename'],
      work,
    );
    await git(['push', '-q', 'origin', 'HEAD:refs/heads/concurrent'], work);
    const bin = await racingGit(join(dir, 'race/bin'), bare);
    const kustomize = await requireBinary('kustomize');
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      env: {
        PATH: [bin, dirname(kustomize), '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter),
      },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /rejected because the branch moved/);
    const commits = await commitsOf(bare);
    assert.equal(commits.length, 3);
    assert.equal(run.outputs['commit-sha'], commits[0]);
    assert.equal(run.outputs.changed, 'true');
    assert.deepEqual(await changedLines(bare, commits[0] ?? ''), [
      `-    newTag: 1.4.1 ${policy}`,
      `+    newTag: 1.5.0 ${policy}`,
      `-    newTag: 1.4.2 ${policy}`,
      `+    newTag: 1.5.0 ${policy}`,
    ]);
    assert.match(
      await fileAt(bare, staging),
      /- name: web\n {4}newName: ghcr\.io\/acme\/web\n {4}newTag: 1\.5\.0 /,
    );
  });
});

/** The other writer's change: staging now runs `web`, which its entry renames. */
function renamedStaging(text: string): string {
  const patch = [
    'patches:',
    '  - target:',
    '      kind: Deployment',
    '      name: web',
    '    patch: |-',
    '      - op: replace',
    '        path: /spec/template/spec/containers/0/image',
    '        value: web:1.4.2',
    '',
    'images:',
  ].join('\n');
  return text
    .replace('images:', patch)
    .replace('- name: ghcr.io/acme/web', '- name: web\n    newName: ghcr.io/acme/web');
}

/**
 * A `git` for the action's PATH that, before the first push, moves `main` of `bare` to its
 * `concurrent` branch: another writer landing first.
 */
async function racingGit(bin: string, bare: string): Promise<string> {
  const real = await whichGit();
  await mkdir(bin, { recursive: true });
  const script = [
    '#!/bin/sh',
    'for arg in "$@"; do',
    '  if [ "$arg" = push ]; then',
    `    if mkdir '${bin}/raced' 2>/dev/null; then`,
    `      '${real}' --git-dir '${bare}' update-ref refs/heads/main refs/heads/concurrent || exit 1`,
    '    fi',
    '    break',
    '  fi',
    'done',
    `exec '${real}' "$@"`,
    '',
  ].join('\n');
  await writeFile(join(bin, 'git'), script);
  await chmod(join(bin, 'git'), 0o755);
  return bin;
}

async function whichGit(): Promise<string> {
  for (const entry of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(entry, 'git');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new Error('git is not on PATH');
}
