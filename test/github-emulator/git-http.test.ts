import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { call, githubEmulator, testTokens, uniqueRepository } from './for-tests.ts';

const emulator = githubEmulator();

async function git(args: string[], cwd?: string): Promise<string> {
  const basic = Buffer.from(`x-access-token:${testTokens.writer}`).toString('base64');
  const result = await execaRunner(
    'git',
    ['-c', `http.extraHeader=Authorization: Basic ${basic}`, ...args],
    cwd === undefined ? {} : { cwd },
  );
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout.trim();
}

test('serves the API repositories over smart HTTP, including commits made through GraphQL', async () => {
  const name = uniqueRepository();
  const base = await emulator().createRepository(name, { 'a.txt': 'one\n' });
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-emulator-clone-'));
  try {
    await git(['clone', '--quiet', emulator().cloneUrl(name), dir]);
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'one\n');
    assert.equal(await git(['rev-parse', 'HEAD'], dir), base);
    const answer = await call(emulator(), 'POST', '/graphql', {
      token: testTokens.writer,
      body: {
        query:
          'mutation ($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }',
        variables: {
          input: {
            branch: { repositoryNameWithOwner: name, branchName: 'main' },
            expectedHeadOid: base,
            message: { headline: 'Two' },
            fileChanges: {
              additions: [{ path: 'a.txt', contents: Buffer.from('two\n').toString('base64') }],
            },
          },
        },
      },
    });
    assert.equal(answer.status, 200);
    await git(['pull', '--quiet', '--ff-only'], dir);
    assert.equal(await readFile(join(dir, 'a.txt'), 'utf8'), 'two\n');
    assert.equal(await git(['log', '-1', '--format=%s'], dir), 'Two');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('refuses git access with an unknown token', async () => {
  const name = uniqueRepository();
  await emulator().createRepository(name, { 'a.txt': 'one\n' });
  const result = await execaRunner('git', ['ls-remote', emulator().cloneUrl(name)], {
    env: { GIT_TERMINAL_PROMPT: '0' },
  });
  assert.notEqual(result.exitCode, 0);
});
