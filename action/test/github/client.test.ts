import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  appendCommits,
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { blobSha } from '../../src/github/branch-ownership.ts';
import { GitHubApiError } from '../../src/github/errors.ts';
import { emulatorClient } from './support.ts';

const emulator = githubEmulator();

async function rejection(promise: Promise<unknown>): Promise<GitHubApiError> {
  try {
    await promise;
  } catch (thrown) {
    assert.ok(thrown instanceof GitHubApiError, `expected a GitHubApiError, got ${String(thrown)}`);
    return thrown;
  }
  assert.fail('expected the call to fail');
}

describe('the GitHub client', () => {
  test('reads the default branch of a repository', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, { 'a.txt': 'a\n' }, 'trunk');
    const client = emulatorClient(emulator(), name, testTokens.writer);
    assert.equal(await client.defaultBranch(), 'trunk');
  });

  test('fails clearly on a bad token and never shows the token', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const badToken = `ghp_${'s3cr3t'.repeat(6)}`;
    const client = emulatorClient(emulator(), name, badToken);
    const error = await rejection(client.defaultBranch());
    assert.equal(error.status, 401);
    assert.match(
      error.message,
      /^read repository acme\/config-\w+: GitHub answered HTTP 401: Bad credentials/,
    );
    assert.match(error.message, /check the `token` input/);
    for (const text of [error.message, error.stack ?? '', inspect(error, { depth: Infinity })]) {
      assert.ok(!text.includes(badToken), 'the token leaked');
      assert.ok(!text.includes(Buffer.from(badToken).toString('base64').slice(0, 20)));
    }
    const graphqlError = await rejection(
      client.createCommitOnBranch({
        branch: 'main',
        expectedHeadOid: 'a'.repeat(40),
        message: 'x',
        changes: [],
      }),
    );
    assert.equal(graphqlError.status, 401);
    assert.ok(!inspect(graphqlError, { depth: Infinity }).includes(badToken));
  });

  test('keeps the status and message of a repository that does not exist', async () => {
    const client = emulatorClient(emulator(), 'acme/nowhere', testTokens.writer);
    const error = await rejection(client.defaultBranch());
    assert.equal(error.status, 404);
    assert.equal(error.githubMessage, 'Not Found');
  });

  test('returns a stale head as data and a forbidden commit as an error with its type', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    await emulator().pushFiles(name, 'main', { 'a.txt': 'b\n' });
    const input = {
      branch: 'main',
      expectedHeadOid: base,
      message: 'Edit',
      changes: [{ path: 'a.txt', content: 'c\n' }],
    };
    const stale = await emulatorClient(emulator(), name, testTokens.writer).createCommitOnBranch(
      input,
    );
    assert.deepEqual(stale, {
      kind: 'stale',
      message: `Expected branch to point to "${base}" but it did not.  Pull and try again.`,
    });
    const reader = emulatorClient(emulator(), name, testTokens.reader);
    const error = await rejection(reader.createCommitOnBranch(input));
    assert.equal(error.type, 'FORBIDDEN');
    assert.match(
      error.message,
      /GitHub answered FORBIDDEN: Resource not accessible by integration/,
    );
  });

  test('commits with the headline and body GitHub joins back into the message', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const client = emulatorClient(emulator(), name, testTokens.writer);
    const result = await client.createCommitOnBranch({
      branch: 'main',
      expectedHeadOid: base,
      message: 'Bump app to 2.0.0\n\nSource: acme/app@abc\n',
      changes: [{ path: 'dir/a.txt', content: 'héllo\n' }],
    });
    assert.equal(result.kind, 'committed');
    const oid = result.kind === 'committed' ? result.oid : '';
    assert.equal(
      (await emulator().commit(name, oid)).message,
      'Bump app to 2.0.0\n\nSource: acme/app@abc',
    );
    assert.equal(await emulator().readFile(name, oid, 'dir/a.txt'), 'héllo\n');
  });

  test('reports branches that exist or are missing, and pull requests that exist, as data', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const client = emulatorClient(emulator(), name, testTokens.writer);
    assert.equal(await client.moveBranch('bot/x', base), 'missing');
    assert.equal(await client.createBranch('bot/x', base), 'created');
    assert.equal(await client.createBranch('bot/x', base), 'exists');
    const ahead = await emulator().pushFiles(name, 'bot/x', { 'b.txt': 'b\n' });
    assert.equal(await client.moveBranch('bot/x', ahead), 'moved');
    assert.equal(await client.moveBranch('bot/x', base), 'not-fast-forward');
    assert.equal(await emulator().head(name, 'bot/x'), ahead, 'a move back is never forced');
    const text = { title: 'T', body: 'B', head: 'bot/x', base: 'main' };
    const opened = await client.createPullRequest(text);
    assert.notEqual(opened, 'exists');
    assert.equal(await client.createPullRequest(text), 'exists');
    assert.deepEqual(await client.findOpenPullRequest('bot/x', 'main'), opened);
    assert.equal(await client.findOpenPullRequest('bot/y', 'main'), undefined);
    assert.equal(await client.deleteBranch('bot/y'), 'missing');
  });

  test('reads a branch, its head commit and what it holds beyond another branch', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const client = emulatorClient(emulator(), name, testTokens.writer);
    assert.equal(await client.branchHead('main'), base);
    assert.equal(await client.branchHead('kustodian/bump-missing'), undefined);
    await client.createBranch('kustodian/bump-x', base);
    const head = await emulator().pushFiles(name, 'kustodian/bump-x', { 'a.txt': 'b\n' }, 'B');
    assert.equal(await client.branchHead('kustodian/bump-x'), head);
    const tree = (await emulator().commit(name, head)).tree;
    const summary = { sha: head, message: 'B', tree, parents: [base] };
    assert.deepEqual(await client.commit(head), summary);
    const comparison = await client.compare('main', head);
    assert.notEqual(comparison, 'unrelated');
    assert.deepEqual(comparison, {
      aheadBy: 1,
      behindBy: 0,
      commits: [summary],
      files: [{ path: 'a.txt', status: 'modified', sha: blobSha('b\n') }],
    });
    await emulator().pushFiles(name, 'orphan', { 'o.txt': 'o\n' });
    assert.equal(await client.compare('main', 'orphan'), 'unrelated');
    const missing = await rejection(client.compare('main', 'nope'));
    assert.equal(missing.status, 404);
  });

  test('lists every commit a branch holds beyond its base, past one page, oldest first', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const client = emulatorClient(emulator(), name, testTokens.writer);
    await client.createBranch('long', base);
    const messages = Array.from({ length: 260 }, (_, index) => `Commit ${index}`);
    const head = await appendCommits(emulator(), name, 'long', messages);
    const comparison = await client.compare(base, head);
    assert.notEqual(comparison, 'unrelated');
    if (comparison === 'unrelated') return;
    assert.equal(comparison.aheadBy, 260);
    assert.deepEqual(
      comparison.commits.map((commit) => commit.message),
      messages,
    );
    assert.equal(comparison.commits.at(-1)?.sha, head);
  });

  test('writes a merge commit of a tree with two parents, moving no branch', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const client = emulatorClient(emulator(), name, testTokens.writer);
    await client.createBranch('topic', base);
    const topic = await emulator().pushFiles(name, 'topic', { 'b.txt': 'b\n' });
    const main = await emulator().pushFiles(name, 'main', { 'a.txt': 'A\n' });
    const { tree } = await client.commit(main);
    const message = 'Bump app to 2.0.0\n\nKustodian-Source-Commit: abc';
    const sha = await client.createCommit({ message, tree, parents: [topic, main] });
    const commit = await emulator().commit(name, sha);
    assert.deepEqual(commit.parents, [topic, main]);
    assert.equal(commit.tree, tree);
    assert.equal(commit.message, message);
    assert.equal(commit.verified, true, 'GitHub signs what an app makes without an author');
    assert.equal(await emulator().head(name, 'topic'), topic);
    assert.equal(await client.moveBranch('topic', sha), 'moved');
    const missing = await rejection(
      client.createCommit({ message, tree, parents: ['0'.repeat(40)] }),
    );
    assert.equal(missing.status, 422);
    assert.match(missing.message, /Parent SHA does not exist or is not a commit object/);
  });
});
