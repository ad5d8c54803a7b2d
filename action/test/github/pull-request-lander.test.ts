import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import {
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { workingCopyRefresher } from '../../src/github/checkout.ts';
import { pullRequestBranch } from '../../src/github/pr-branch.ts';
import { createPullRequestLander } from '../../src/github/pull-request-lander.ts';
import type { LandResult } from '../../src/land/types.ts';
import { cloneFromEmulator, emulatorClient, kustomization, setImagesIn } from './support.ts';

const emulator = githubEmulator();
const path = 'apps/web/kustomization.yaml';
/** As the action writes it: the trailers mark the commit as the action's own. */
const trailers = 'Kustodian-Source-Repository: acme/app\nKustodian-Source-Commit: abc123';
const message = `Bump app-0 to 2.0.0\n\n${trailers}`;

async function configRepository(): Promise<string> {
  const name = uniqueRepository();
  await emulator().createRepository(name, { [path]: kustomization(2) });
  return name;
}

/** One run of the lander on a fresh clone of `main`, as one workflow run would do. */
async function run(
  name: string,
  images: readonly ImageUpdate[],
  options: { branch?: string; title?: string; base?: string } = {},
): Promise<LandResult> {
  const base = options.base ?? 'main';
  const copy = await cloneFromEmulator(emulator(), name, base, testTokens.writer);
  try {
    const lander = createPullRequestLander({
      client: emulatorClient(emulator(), name, testTokens.writer),
      base,
      branch: options.branch ?? pullRequestBranch(images, base),
      checkout: workingCopyRefresher(copy, base),
      ...(options.title === undefined ? {} : { title: options.title }),
    });
    return await lander.land({ message, prepare: setImagesIn(path, images) });
  } finally {
    await copy.remove();
  }
}

describe('commit: pull-request', () => {
  test('opens a pull request with one Verified commit on top of the base head', async () => {
    const name = await configRepository();
    const base = await emulator().head(name, 'main');
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const result = await run(name, images);
    assert.equal(result.outcome, 'pull-request-opened');
    assert.deepEqual(result.changedPaths, [path]);
    const [pull, ...others] = emulator().pullRequests(name);
    assert.equal(others.length, 0);
    assert.equal(pull?.state, 'open');
    assert.equal(pull?.title, 'Bump app-0 to 2.0.0');
    assert.equal(pull?.body, trailers);
    assert.equal(pull?.head, pullRequestBranch(images, 'main'));
    assert.match(result.pullRequestUrl ?? '', new RegExp(`/${name}/pull/1$`));
    const head = await emulator().head(name, pull?.head ?? '');
    assert.equal(head, result.commitSha);
    const commit = await emulator().commit(name, head ?? '');
    assert.deepEqual(commit.parents, [base]);
    assert.equal(commit.verified, true);
    assert.match(
      (await emulator().readFile(name, head ?? '', path)) ?? '',
      /newTag: 2\.0\.0 # bumped by CI/,
    );
    assert.equal(await emulator().head(name, 'main'), base, 'the base branch must not move');
  });

  test('updates the same pull request on a second run instead of opening another', async () => {
    const name = await configRepository();
    await run(name, [{ name: 'app-0', newTag: '2.0.0' }]);
    // The base moves in between; the second run rebuilds the branch on the new base head.
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const second = await run(name, [{ name: 'app-0', newTag: '2.0.1' }], { title: 'Bump app-0' });
    assert.equal(second.outcome, 'pull-request-updated');
    const pulls = emulator().pullRequests(name);
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0]?.state, 'open', 'moving the branch must not close the pull request');
    assert.equal(pulls[0]?.title, 'Bump app-0');
    assert.match(second.pullRequestUrl ?? '', /\/pull\/1$/);
    const head = await emulator().head(name, pulls[0]?.head ?? '');
    assert.deepEqual((await emulator().commit(name, head ?? '')).parents, [moved]);
    assert.match((await emulator().readFile(name, head ?? '', path)) ?? '', /newTag: 2\.0\.1/);
    assert.deepEqual(
      await emulator().branches(name),
      ['main', pulls[0]?.head].sort(),
      'the scratch branches are gone',
    );
  });

  test('is unchanged, touching nothing, when the base already holds the tags', async () => {
    const name = await configRepository();
    emulator().clearRequests();
    const result = await run(name, [{ name: 'app-1', newTag: '1.0.0' }]);
    assert.deepEqual(result, { outcome: 'unchanged', attempts: 1, changedPaths: [] });
    assert.equal(emulator().pullRequests(name).length, 0);
    const writes = emulator()
      .requests()
      .filter((request) => request.method !== 'GET');
    assert.deepEqual(writes, []);
  });

  test('refuses to use the base or the default branch as its own branch', async () => {
    const name = await configRepository();
    const before = await emulator().head(name, 'main');
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'main' }), {
      message: `pull request ${name}@main: pr-branch must be a branch of its own, not the base branch: the action moves it to each new commit`,
    });
    await emulator().pushFiles(name, 'release', { 'notes.txt': 'release\n' });
    await assert.rejects(
      run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'main', base: 'release' }),
      { message: /not the default branch/ },
    );
    assert.equal(await emulator().head(name, 'main'), before);
    assert.deepEqual(emulator().pullRequests(name), []);
  });

  test('leaves the branch and the pull request as they are when the branch already holds the change', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const first = await run(name, images);
    const branch = pullRequestBranch(images, 'main');
    const head = await emulator().head(name, branch);
    emulator().clearRequests();
    const second = await run(name, images);
    assert.deepEqual(second, {
      outcome: 'unchanged',
      pullRequestUrl: first.pullRequestUrl,
      attempts: 1,
      changedPaths: [],
    });
    assert.equal(await emulator().head(name, branch), head, 'the branch must not move');
    const writes = emulator()
      .requests()
      .filter((request) => request.method !== 'GET');
    assert.deepEqual(writes, []);
    assert.equal(emulator().pullRequests(name).length, 1);
    assert.equal(emulator().pullRequests(name)[0]?.state, 'open');
  });

  test('builds the same change again on a base that moved since the branch was made', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const first = await run(name, images);
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const second = await run(name, images);
    assert.equal(second.outcome, 'pull-request-updated');
    assert.notEqual(second.commitSha, first.commitSha);
    const head = await emulator().head(name, pullRequestBranch(images, 'main'));
    assert.deepEqual((await emulator().commit(name, head ?? '')).parents, [moved]);
  });

  test('refuses to move a branch that holds commits the action did not make', async () => {
    const name = await configRepository();
    const client = emulatorClient(emulator(), name, testTokens.writer);
    await client.createBranch('release', (await emulator().head(name, 'main')) ?? '');
    const release = await emulator().pushFiles(name, 'release', { 'notes.txt': 'v1\n' });
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'release' }), {
      message: `pull request ${name}@release: refusing to move release: its head ${release.slice(0, 12)} was not made by this action (it has no Kustodian-Source-Repository, Kustodian-Source-Commit, Kustodian-Workflow-Run trailer); merge or close its pull request and delete the branch, or set another pr-branch`,
    });
    assert.equal(await emulator().head(name, 'release'), release);
    assert.deepEqual(await emulator().branches(name), ['main', 'release']);
    assert.deepEqual(emulator().pullRequests(name), []);
  });

  test('refuses to move its own branch after someone else pushed to it', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    await run(name, images);
    const branch = pullRequestBranch(images, 'main');
    const fixup = await emulator().pushFiles(name, branch, { 'fix.txt': 'by hand\n' });
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '2.0.1' }]), {
      message: /refusing to move .*: its head [0-9a-f]{12} was not made by this action/,
    });
    assert.equal(await emulator().head(name, branch), fixup);
  });

  test('refuses a branch whose head has the trailers on top of other commits the base lacks', async () => {
    const name = await configRepository();
    const client = emulatorClient(emulator(), name, testTokens.writer);
    await client.createBranch('release', (await emulator().head(name, 'main')) ?? '');
    await emulator().pushFiles(name, 'release', { 'notes.txt': 'v1\n' }, 'Release notes');
    const bumped = await emulator().pushFiles(name, 'release', { 'x.txt': 'x\n' }, message);
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'release' }), {
      message: /refusing to move release: it holds 2 commits that main lacks/,
    });
    assert.equal(await emulator().head(name, 'release'), bumped);
  });

  test('refuses a branch that shares no history with the base', async () => {
    const name = await configRepository();
    const orphan = await emulator().pushFiles(name, 'pages', { 'index.html': '<p>\n' }, message);
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'pages' }), {
      message: /refusing to move pages: it shares no history with main/,
    });
    assert.equal(await emulator().head(name, 'pages'), orphan);
  });
});
