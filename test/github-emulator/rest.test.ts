import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, githubEmulator, testTokens, uniqueRepository } from './for-tests.ts';

const emulator = githubEmulator();
const writer = { token: testTokens.writer };

async function repository(): Promise<{ name: string; base: string }> {
  const name = uniqueRepository();
  const base = await emulator().createRepository(name, { 'README.md': '# config\n' });
  return { name, base };
}

describe('authentication and visibility', () => {
  test('answers 401 Bad credentials in GitHub shape for an unknown token', async () => {
    const { name } = await repository();
    const answer = await call(emulator(), 'GET', `/repos/${name}`, { token: 'ghp_wrong' });
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/rest',
      status: '401',
    });
  });

  test('answers 401 Requires authentication without a token', async () => {
    const { name } = await repository();
    const answer = await call(emulator(), 'GET', `/repos/${name}`);
    assert.equal(answer.status, 401);
    assert.equal((answer.body as { message: string }).message, 'Requires authentication');
  });

  test('answers 404 Not Found for a repository that does not exist', async () => {
    const answer = await call(emulator(), 'GET', '/repos/acme/missing', writer);
    assert.equal(answer.status, 404);
    assert.deepEqual(answer.body, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/repos/repos#get-a-repository',
      status: '404',
    });
  });

  test('gives the default branch of a repository', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, { 'a.txt': 'a\n' }, 'trunk');
    const answer = await call(emulator(), 'GET', `/repos/${name}`, writer);
    assert.equal(answer.status, 200);
    assert.equal((answer.body as { default_branch: string }).default_branch, 'trunk');
    assert.equal((answer.body as { full_name: string }).full_name, name);
  });

  test('answers 403 to a read-only token that tries to write', async () => {
    const { name, base } = await repository();
    const answer = await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      token: testTokens.reader,
      body: { ref: 'refs/heads/x', sha: base },
    });
    assert.equal(answer.status, 403);
    assert.deepEqual(answer.body, {
      message: 'Resource not accessible by integration',
      documentation_url: 'https://docs.github.com/rest/git/refs#create-a-reference',
      status: '403',
    });
    assert.equal(await emulator().head(name, 'x'), undefined);
  });
});

describe('git refs', () => {
  test('creates a branch once and answers 422 Reference already exists the second time', async () => {
    const { name, base } = await repository();
    const body = { ref: 'refs/heads/bot/one', sha: base };
    const first = await call(emulator(), 'POST', `/repos/${name}/git/refs`, { ...writer, body });
    assert.equal(first.status, 201);
    assert.equal((first.body as { ref: string }).ref, 'refs/heads/bot/one');
    assert.equal(await emulator().head(name, 'bot/one'), base);
    const second = await call(emulator(), 'POST', `/repos/${name}/git/refs`, { ...writer, body });
    assert.equal(second.status, 422);
    assert.equal((second.body as { message: string }).message, 'Reference already exists');
  });

  test('refuses a non-fast-forward update unless forced', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/side', sha: base },
    });
    const ahead = await emulator().pushFiles(name, 'side', { 'b.txt': 'b\n' });
    const path = `/repos/${name}/git/refs/heads/${encodeURIComponent('side')}`;
    const refused = await call(emulator(), 'PATCH', path, { ...writer, body: { sha: base } });
    assert.equal(refused.status, 422);
    assert.equal((refused.body as { message: string }).message, 'Update is not a fast forward');
    assert.equal(await emulator().head(name, 'side'), ahead);
    const forced = await call(emulator(), 'PATCH', path, {
      ...writer,
      body: { sha: base, force: true },
    });
    assert.equal(forced.status, 200);
    assert.equal(await emulator().head(name, 'side'), base);
  });

  test('answers 422 Reference does not exist when updating or deleting a missing branch', async () => {
    const { name, base } = await repository();
    const path = `/repos/${name}/git/refs/heads/nope`;
    const update = await call(emulator(), 'PATCH', path, { ...writer, body: { sha: base } });
    assert.equal(update.status, 422);
    assert.equal((update.body as { message: string }).message, 'Reference does not exist');
    const remove = await call(emulator(), 'DELETE', path, writer);
    assert.equal(remove.status, 422);
  });

  test('deletes a branch with 204', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/a/b', sha: base },
    });
    const path = `/repos/${name}/git/refs/${encodeURIComponent('heads/a/b')}`;
    const answer = await call(emulator(), 'DELETE', path, writer);
    assert.equal(answer.status, 204);
    assert.equal(await emulator().head(name, 'a/b'), undefined);
  });
});

describe('pull requests', () => {
  async function branchWithChange(name: string, base: string, branch: string): Promise<void> {
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: `refs/heads/${branch}`, sha: base },
    });
    await emulator().pushFiles(name, branch, { 'c.txt': `${branch}\n` });
  }

  test('opens one pull request per head and answers 422 already exists for a second', async () => {
    const { name, base } = await repository();
    await branchWithChange(name, base, 'bump');
    const body = { title: 'Bump', head: 'acme:bump', base: 'main', body: 'text' };
    const first = await call(emulator(), 'POST', `/repos/${name}/pulls`, { ...writer, body });
    assert.equal(first.status, 201);
    assert.equal((first.body as { number: number }).number, 1);
    assert.match((first.body as { html_url: string }).html_url, /\/acme\/.+\/pull\/1$/);
    const second = await call(emulator(), 'POST', `/repos/${name}/pulls`, { ...writer, body });
    assert.equal(second.status, 422);
    assert.deepEqual(second.body, {
      message: 'Validation Failed',
      errors: [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: 'A pull request already exists for acme:bump.',
        },
      ],
      documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
      status: '422',
    });
  });

  test('lists open pull requests by owner:branch and updates one in place', async () => {
    const { name, base } = await repository();
    await branchWithChange(name, base, 'one');
    await branchWithChange(name, base, 'two');
    for (const head of ['one', 'two']) {
      const body = { title: head, head: `acme:${head}`, base: 'main' };
      await call(emulator(), 'POST', `/repos/${name}/pulls`, { ...writer, body });
    }
    const listed = await call(
      emulator(),
      'GET',
      `/repos/${name}/pulls?head=acme:two&state=open`,
      writer,
    );
    assert.equal(listed.status, 200);
    const pulls = listed.body as { number: number; head: { ref: string } }[];
    assert.deepEqual(
      pulls.map((pull) => [pull.number, pull.head.ref]),
      [[2, 'two']],
    );
    const patched = await call(emulator(), 'PATCH', `/repos/${name}/pulls/2`, {
      ...writer,
      body: { title: 'Renamed', body: 'New body' },
    });
    assert.equal(patched.status, 200);
    assert.equal(emulator().pullRequests(name)[1]?.title, 'Renamed');
    const missing = await call(emulator(), 'PATCH', `/repos/${name}/pulls/9`, {
      ...writer,
      body: { title: 'x' },
    });
    assert.equal(missing.status, 404);
  });

  test('answers 422 when the head has no commits the base lacks', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/same', sha: base },
    });
    const answer = await call(emulator(), 'POST', `/repos/${name}/pulls`, {
      ...writer,
      body: { title: 't', head: 'acme:same', base: 'main' },
    });
    assert.equal(answer.status, 422);
    const errors = (answer.body as { errors: { message: string }[] }).errors;
    assert.equal(errors[0]?.message, 'No commits between main and same');
  });

  test('closes an open pull request whose head branch is reset to the base commit', async () => {
    const { name, base } = await repository();
    await branchWithChange(name, base, 'reset-me');
    await call(emulator(), 'POST', `/repos/${name}/pulls`, {
      ...writer,
      body: { title: 't', head: 'acme:reset-me', base: 'main' },
    });
    await call(emulator(), 'PATCH', `/repos/${name}/git/refs/heads/reset-me`, {
      ...writer,
      body: { sha: base, force: true },
    });
    assert.equal(emulator().pullRequests(name)[0]?.state, 'closed');
  });
});
