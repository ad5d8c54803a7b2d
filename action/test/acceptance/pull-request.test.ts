/**
 * `commit: pull-request` with the bundled action, run as a runner runs it, against the GitHub
 * emulator: its API at `GITHUB_API_URL`, its repositories over HTTPS at `GITHUB_SERVER_URL`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  call,
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { isAncestor, pullRequestDiff } from '../github/support.ts';
import { runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, startHttpsGit, webConfigFiles } from './https-git.ts';

const emulator = githubEmulator();

describe('the bundled action in pull-request mode', () => {
  let dir = '';
  let cleanup = async () => {};
  let https: HttpsGit;
  before(async () => {
    ({ dir, cleanup } = await tempDir('pull-request'));
    https = await startHttpsGit(dir, testTokens.writer, emulator().git.root);
  });
  after(async () => {
    await https?.server.stop();
    await cleanup();
  });

  /** One workflow run bumping `image` in `name` (each run has its own run id, as on GitHub). */
  function bump(name: string, images: string, runId: string) {
    return runAction({
      inputs: {
        repository: name,
        'github-token': testTokens.writer,
        images,
        commit: 'pull-request',
      },
      env: {
        GIT_SSL_CAINFO: https.caFile,
        GITHUB_SERVER_URL: https.server.url,
        GITHUB_API_URL: emulator().apiUrl,
        GITHUB_GRAPHQL_URL: `${emulator().apiUrl}/graphql`,
        GITHUB_RUN_ID: runId,
      },
    });
  }

  it('does nothing on a second identical run: same branch head, changed=false, the same pull request', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, webConfigFiles);
    const first = await bump(name, 'registry.example.com/web=2.0.0', '101');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    assert.equal(first.outputs.changed, 'true');
    const [pull] = emulator().pullRequests(name);
    assert.ok(pull, 'a pull request was opened');
    assert.match(first.outputs['pull-request-url'] ?? '', new RegExp(`/${name}/pull/1$`));
    const head = await emulator().head(name, pull.head);
    assert.equal(first.outputs['commit-sha'], head);

    emulator().clearRequests();
    const second = await bump(name, 'registry.example.com/web=2.0.0', '102');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.outputs.changed, 'false');
    assert.equal(second.outputs['commit-sha'], '');
    assert.equal(second.outputs['pull-request-url'], first.outputs['pull-request-url']);
    assert.equal(await emulator().head(name, pull.head), head, 'the branch must not move');
    const writes = emulator()
      .requests()
      .filter((request) => request.method !== 'GET' && request.path !== '/graphql');
    assert.deepEqual(writes, []);
    assert.equal(
      emulator()
        .requests()
        .filter((request) => request.path === '/graphql').length,
      0,
      'no commit was made',
    );
    assert.deepEqual(await emulator().branches(name), ['main', pull.head].sort());
    assert.equal(emulator().pullRequests(name).length, 1);
  });

  it('fast-forwards its branch when the base moved between two runs, the pull request showing only the bump; a third run changes nothing', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, webConfigFiles);
    const first = await bump(name, 'registry.example.com/web=2.0.0', '201');
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const [pull] = emulator().pullRequests(name);
    assert.ok(pull, 'a pull request was opened');
    const firstHead = (await emulator().head(name, pull.head)) ?? '';
    assert.equal(first.outputs['commit-sha'], firstHead);

    const moved = await emulator().pushFiles(name, 'main', { 'docs/notes.md': 'notes\n' });
    const second = await bump(name, 'registry.example.com/web=2.0.0', '202');
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.equal(second.outputs.changed, 'true');
    assert.equal(second.outputs['pull-request-url'], first.outputs['pull-request-url']);
    const secondHead = (await emulator().head(name, pull.head)) ?? '';
    assert.equal(second.outputs['commit-sha'], secondHead);
    assert.notEqual(secondHead, firstHead);
    assert.equal(
      await isAncestor(emulator(), name, firstHead, secondHead),
      true,
      'the second run fast-forwards the branch: the first head is an ancestor of the second',
    );
    assert.deepEqual(await pullRequestDiff(emulator(), name, 'main', pull.head), {
      mergeBase: moved,
      paths: ['production/kustomization.yaml'],
    });
    assert.equal(emulator().pullRequests(name).length, 1);
    assert.equal(emulator().pullRequests(name)[0]?.state, 'open');

    emulator().clearRequests();
    const third = await bump(name, 'registry.example.com/web=2.0.0', '203');
    assert.equal(third.code, 0, third.stdout + third.stderr);
    assert.equal(third.outputs.changed, 'false');
    assert.equal(third.outputs['pull-request-url'], first.outputs['pull-request-url']);
    assert.equal(await emulator().head(name, pull.head), secondHead, 'the branch must not move');
    const writes = emulator()
      .requests()
      .filter((request) => request.method !== 'GET');
    assert.deepEqual(writes, []);
    assert.deepEqual(await emulator().branches(name), ['main', pull.head].sort());
  });

  it('refuses to move a branch named by pr-branch that holds someone else’s commit', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, webConfigFiles);
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      token: testTokens.writer,
      body: { ref: 'refs/heads/release', sha: base },
    });
    const release = await emulator().pushFiles(name, 'release', { 'notes.txt': 'v1\n' });
    const run = await runAction({
      inputs: {
        repository: name,
        'github-token': testTokens.writer,
        images: 'registry.example.com/web=2.0.0',
        commit: 'pull-request',
        'pr-branch': 'release',
      },
      env: {
        GIT_SSL_CAINFO: https.caFile,
        GITHUB_SERVER_URL: https.server.url,
        GITHUB_API_URL: emulator().apiUrl,
        GITHUB_GRAPHQL_URL: `${emulator().apiUrl}/graphql`,
      },
    });
    assert.notEqual(run.code, 0);
    assert.match(
      run.stdout,
      /refusing to move release: its head [0-9a-f]{12} was not made by this action/,
    );
    assert.equal(await emulator().head(name, 'release'), release);
    assert.equal(await emulator().head(name, 'main'), base);
    assert.deepEqual(emulator().pullRequests(name), []);
  });
});
