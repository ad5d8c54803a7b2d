import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import {
  call,
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import type { GitHubClient } from '../../src/github/api.ts';
import { workingCopyRefresher } from '../../src/github/checkout.ts';
import { pullRequestBranch } from '../../src/github/pr-branch.ts';
import { createPullRequestLander } from '../../src/github/pull-request-lander.ts';
import type { LandResult } from '../../src/land/types.ts';
import {
  cloneFromEmulator,
  emulatorClient,
  instantClock,
  isAncestor,
  kustomization,
  pullRequestDiff,
  setImagesIn,
} from './support.ts';

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

/** `client`, with `before` awaited ahead of each `moveBranch`. */
function beforeEachMove(client: GitHubClient, before: () => Promise<void>): GitHubClient {
  return new Proxy(client, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      if (property !== 'moveBranch') return value.bind(target);
      return async (...args: unknown[]) => {
        await before();
        return value.apply(target, args);
      };
    },
  });
}

/** The message of another run of the action: it carries the trailers. */
function anotherRunsMessage(tag: string): string {
  return `Bump app-0 to ${tag}\n\n${trailers}`;
}

/** One run of the lander on a fresh clone of `main`, as one workflow run would do. */
async function run(
  name: string,
  images: readonly ImageUpdate[],
  options: {
    branch?: string;
    title?: string;
    base?: string;
    client?: GitHubClient;
    clock?: ReturnType<typeof instantClock>;
  } = {},
): Promise<LandResult> {
  const base = options.base ?? 'main';
  const copy = await cloneFromEmulator(emulator(), name, base, testTokens.writer);
  try {
    const lander = createPullRequestLander({
      client: options.client ?? emulatorClient(emulator(), name, testTokens.writer),
      base,
      branch: options.branch ?? pullRequestBranch(images, base),
      checkout: workingCopyRefresher(copy, base),
      retry: { timeoutMs: 300_000, maxAttempts: 3 },
      clock: options.clock ?? instantClock(),
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
    const first = await run(name, [{ name: 'app-0', newTag: '2.0.0' }]);
    // The base moves in between; the second run builds on the new base head.
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const second = await run(name, [{ name: 'app-0', newTag: '2.0.1' }], { title: 'Bump app-0' });
    assert.equal(second.outcome, 'pull-request-updated');
    const pulls = emulator().pullRequests(name);
    assert.equal(pulls.length, 1);
    assert.equal(pulls[0]?.state, 'open', 'moving the branch must not close the pull request');
    assert.equal(pulls[0]?.title, 'Bump app-0');
    assert.match(second.pullRequestUrl ?? '', /\/pull\/1$/);
    const head = await emulator().head(name, pulls[0]?.head ?? '');
    assert.deepEqual((await emulator().commit(name, head ?? '')).parents, [first.commitSha, moved]);
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

  test('fast-forwards its branch onto a base that moved: the old head stays, the pull request shows only the bump, a third run changes nothing', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const branch = pullRequestBranch(images, 'main');
    const first = await run(name, images);
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const second = await run(name, images);
    assert.equal(second.outcome, 'pull-request-updated');
    const head = (await emulator().head(name, branch)) ?? '';
    assert.equal(head, second.commitSha);
    assert.notEqual(head, first.commitSha);
    assert.equal(
      await isAncestor(emulator(), name, first.commitSha ?? '', head),
      true,
      'the old head is an ancestor of the new one: a fast-forward',
    );
    const merge = await emulator().commit(name, head);
    assert.deepEqual(merge.parents, [first.commitSha, moved]);
    assert.match(merge.message, /Kustodian-Source-Commit: abc123/);
    assert.equal(merge.verified, true, 'GitHub signs a commit an app makes through the API');
    assert.deepEqual(await pullRequestDiff(emulator(), name, 'main', branch), {
      mergeBase: moved,
      paths: [path],
    });
    assert.equal(await emulator().readFile(name, head, 'README.md'), '# config\n');
    assert.match((await emulator().readFile(name, head, path)) ?? '', /newTag: 2\.0\.0/);
    assert.equal(emulator().pullRequests(name)[0]?.state, 'open');

    emulator().clearRequests();
    const third = await run(name, images);
    assert.deepEqual(third, {
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
  });

  test('lands a new tag on a base that did not move as one commit on top of the branch head', async () => {
    const name = await configRepository();
    const base = (await emulator().head(name, 'main')) ?? '';
    const first = await run(name, [{ name: 'app-0', newTag: '2.0.0' }]);
    const second = await run(name, [{ name: 'app-0', newTag: '2.0.1' }]);
    assert.equal(second.outcome, 'pull-request-updated');
    const branch = pullRequestBranch([{ name: 'app-0', newTag: '2.0.0' }], 'main');
    const head = (await emulator().head(name, branch)) ?? '';
    assert.equal(head, second.commitSha);
    assert.deepEqual((await emulator().commit(name, head)).parents, [first.commitSha]);
    assert.deepEqual(await pullRequestDiff(emulator(), name, 'main', branch), {
      mergeBase: base,
      paths: [path],
    });
    assert.match((await emulator().readFile(name, head, path)) ?? '', /newTag: 2\.0\.1/);
  });

  test('opens a pull request again, committing nothing, when its branch already holds the change but the pull request was closed', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const first = await run(name, images);
    const closed = await call(emulator(), 'PATCH', `/repos/${name}/pulls/1`, {
      token: testTokens.writer,
      body: { state: 'closed' },
    });
    assert.equal(closed.status, 200);
    const branch = pullRequestBranch(images, 'main');
    emulator().clearRequests();
    const second = await run(name, images);
    assert.equal(second.outcome, 'pull-request-opened');
    assert.equal(second.commitSha, first.commitSha);
    assert.equal(await emulator().head(name, branch), first.commitSha, 'the branch must not move');
    assert.match(second.pullRequestUrl ?? '', /\/pull\/2$/);
    const writes = emulator()
      .requests()
      .filter((request) => request.method !== 'GET')
      .map((request) => `${request.method} ${request.path}`);
    assert.deepEqual(writes, [`POST /repos/${name}/pulls`]);
  });

  test('after its pull request was merged, moves the branch on by a plain fast-forward', async () => {
    const name = await configRepository();
    const client = emulatorClient(emulator(), name, testTokens.writer);
    const branch = pullRequestBranch([{ name: 'app-0', newTag: '2.0.0' }], 'main');
    const first = await run(name, [{ name: 'app-0', newTag: '2.0.0' }]);
    // The pull request is merged by a fast-forward of main, and main moves on.
    assert.equal(await client.moveBranch('main', first.commitSha ?? ''), 'moved');
    assert.equal(emulator().pullRequests(name)[0]?.state, 'closed');
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const result = await run(name, [{ name: 'app-0', newTag: '2.0.1' }]);
    assert.equal(result.outcome, 'pull-request-opened');
    const head = (await emulator().head(name, branch)) ?? '';
    assert.deepEqual(
      (await emulator().commit(name, head)).parents,
      [moved],
      'no merge commit: the old head is already in the base head',
    );
    assert.equal(await isAncestor(emulator(), name, first.commitSha ?? '', head), true);
  });

  test('retries a move GitHub refuses as not a fast-forward after another run moved the branch, never forcing', async () => {
    const name = await configRepository();
    const branch = pullRequestBranch([{ name: 'app-0', newTag: '2.0.0' }], 'main');
    await run(name, [{ name: 'app-0', newTag: '2.0.0' }]);
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    let concurrent: string | undefined;
    const client = beforeEachMove(emulatorClient(emulator(), name, testTokens.writer), async () => {
      if (concurrent !== undefined) return;
      // Another run of the action lands on the branch between this run's read and its move.
      const theirs = kustomization(2).replace('newTag: 1.0.0', 'newTag: 2.0.5');
      concurrent = await emulator().pushFiles(
        name,
        branch,
        { [path]: theirs },
        anotherRunsMessage('2.0.5'),
      );
    });
    const clock = instantClock();
    emulator().clearRequests();
    const result = await run(name, [{ name: 'app-0', newTag: '2.0.1' }], { client, clock });
    assert.equal(result.outcome, 'pull-request-updated');
    assert.equal(result.attempts, 2);
    assert.equal(clock.waits.length, 1, 'one jittered wait before the retry');
    const refs = emulator()
      .requests()
      .filter((request) => request.method === 'PATCH' && request.path.includes('/git/refs/'));
    assert.deepEqual(
      refs.map((request) => [request.status, (request.body as { force?: unknown }).force]),
      [
        [422, false],
        [200, false],
      ],
      'the first move is refused as not a fast-forward, the second lands; neither forces',
    );
    const head = (await emulator().head(name, branch)) ?? '';
    assert.equal(head, result.commitSha);
    assert.equal(
      await isAncestor(emulator(), name, concurrent ?? '', head),
      true,
      'the other run’s commit stays in the branch’s history',
    );
    assert.deepEqual((await emulator().commit(name, head)).parents, [concurrent, moved]);
    assert.deepEqual(await pullRequestDiff(emulator(), name, 'main', branch), {
      mergeBase: moved,
      paths: [path],
    });
    assert.match((await emulator().readFile(name, head, path)) ?? '', /newTag: 2\.0\.1/);
    assert.equal(emulator().pullRequests(name).length, 1);
  });

  test('refuses, after a move GitHub refused, a branch someone else pushed to meanwhile, keeping their commit', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const branch = pullRequestBranch(images, 'main');
    await run(name, images);
    await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    let theirs: string | undefined;
    const client = beforeEachMove(emulatorClient(emulator(), name, testTokens.writer), async () => {
      theirs ??= await emulator().pushFiles(
        name,
        branch,
        { 'fix.txt': 'by hand\n' },
        'Fix by hand',
      );
    });
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '2.0.1' }], { client }), {
      message: /refusing to move .*: its head [0-9a-f]{12} was not made by this action/,
    });
    assert.equal(await emulator().head(name, branch), theirs);
  });

  test('gives up after max-attempts when the branch keeps moving, without forcing', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const branch = pullRequestBranch(images, 'main');
    await run(name, images);
    await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    let last = '';
    let count = 0;
    const client = beforeEachMove(emulatorClient(emulator(), name, testTokens.writer), async () => {
      count += 1;
      const theirs = kustomization(2).replace('newTag: 1.0.0', `newTag: 3.0.${count}`);
      last = await emulator().pushFiles(
        name,
        branch,
        { [path]: theirs },
        anotherRunsMessage(`3.0.${count}`),
      );
    });
    const clock = instantClock();
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '2.0.1' }], { client, clock }), {
      message: new RegExp(
        `pull request ${name}@${branch}: the branch kept moving: another writer moved it during each attempt; gave up after 3 attempts \\(max-attempts 3\\); nothing was forced`,
      ),
    });
    assert.equal(clock.waits.length, 2);
    assert.equal(await emulator().head(name, branch), last, 'the last writer’s commit is kept');
  });

  test('refuses to move a branch that holds commits the action did not make', async () => {
    const name = await configRepository();
    const client = emulatorClient(emulator(), name, testTokens.writer);
    await client.createBranch('release', (await emulator().head(name, 'main')) ?? '');
    const release = await emulator().pushFiles(name, 'release', { 'notes.txt': 'v1\n' });
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'release' }), {
      message: `pull request ${name}@release: refusing to move release: its head ${release.slice(0, 12)} was not made by this action (it has no Kustodian-Source-Repository, Kustodian-Source-Commit, Kustodian-Workflow-Run, Kustodian-Rollback-To, Kustodian-Application trailer); merge or close its pull request and delete the branch, or set another pr-branch`,
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
    const notes = await emulator().pushFiles(
      name,
      'release',
      { 'notes.txt': 'v1\n' },
      'Release notes',
    );
    const bumped = await emulator().pushFiles(name, 'release', { 'x.txt': 'x\n' }, message);
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '9.0.0' }], { branch: 'release' }), {
      message: new RegExp(
        `refusing to move release: its commit ${notes.slice(0, 12)} \\(Release notes\\), which main lacks, was not made by this action`,
      ),
    });
    assert.equal(await emulator().head(name, 'release'), bumped);
  });

  test('refuses its own branch after someone merged the base into it by hand', async () => {
    const name = await configRepository();
    const images = [{ name: 'app-0', newTag: '2.0.0' }];
    const branch = pullRequestBranch(images, 'main');
    const first = await run(name, images);
    const moved = await emulator().pushFiles(name, 'main', { 'README.md': '# config\n' });
    const tree = (await emulator().commit(name, moved)).tree;
    const merged = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
      token: testTokens.writer,
      body: { message: "Merge branch 'main'", tree, parents: [first.commitSha, moved] },
    });
    assert.equal(merged.status, 201);
    const sha = (merged.body as { sha: string }).sha;
    await emulatorClient(emulator(), name, testTokens.writer).moveBranch(branch, sha);
    await assert.rejects(run(name, [{ name: 'app-0', newTag: '2.0.1' }]), {
      message: new RegExp(
        `refusing to move ${branch}: its head ${sha.slice(0, 12)} was not made by this action`,
      ),
    });
    assert.equal(await emulator().head(name, branch), sha);
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
