import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, test } from 'node:test';
import {
  appendCommits,
  call,
  githubEmulator,
  testTokens,
  uniqueRepository,
  writerLogin,
} from './for-tests.ts';

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

describe('git commits', () => {
  /** A repository whose `topic` and `main` branches both moved on from the first commit. */
  async function diverged(): Promise<{ name: string; topic: string; main: string; tree: string }> {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/topic', sha: base },
    });
    const topic = await emulator().pushFiles(name, 'topic', { 'b.txt': 'b\n' });
    const main = await emulator().pushFiles(name, 'main', { 'a.txt': 'a\n' });
    return { name, topic, main, tree: (await emulator().commit(name, main)).tree };
  }

  test('creates a merge commit with two parents, signed by GitHub for an app, moving no branch', async () => {
    const { name, topic, main, tree } = await diverged();
    const answer = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
      ...writer,
      body: { message: 'Merge main', tree, parents: [topic, main] },
    });
    assert.equal(answer.status, 201);
    const body = answer.body as {
      sha: string;
      url: string;
      message: string;
      tree: { sha: string };
      parents: { sha: string; html_url: string }[];
      author: { name: string };
      committer: { name: string; email: string };
      verification: { verified: boolean; reason: string };
    };
    assert.equal(body.url, `${emulator().apiUrl}/repos/${name}/git/commits/${body.sha}`);
    assert.equal(body.message, 'Merge main');
    assert.equal(body.tree.sha, tree);
    assert.deepEqual(
      body.parents.map((parent) => parent.sha),
      [topic, main],
    );
    assert.equal(body.author.name, writerLogin);
    assert.deepEqual([body.committer.name, body.committer.email], ['GitHub', 'noreply@github.com']);
    assert.deepEqual([body.verification.verified, body.verification.reason], [true, 'valid']);
    const stored = await emulator().commit(name, body.sha);
    assert.deepEqual(stored.parents, [topic, main]);
    assert.equal(stored.verified, true);
    assert.equal(await emulator().head(name, 'topic'), topic, 'no branch moves');
    const forward = await call(emulator(), 'PATCH', `/repos/${name}/git/refs/heads/topic`, {
      ...writer,
      body: { sha: body.sha, force: false },
    });
    assert.equal(forward.status, 200, 'the merge commit is a fast-forward of topic');
  });

  test('leaves a commit unsigned when an author is given, as GitHub does', async () => {
    const { name, main, tree } = await diverged();
    const author = { name: 'A Person', email: 'person@example.com' };
    const answer = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
      ...writer,
      body: { message: 'By hand', tree, parents: [main], author },
    });
    assert.equal(answer.status, 201);
    const body = answer.body as {
      committer: { name: string };
      verification: { verified: boolean; reason: string };
    };
    assert.equal(body.committer.name, 'A Person');
    assert.deepEqual([body.verification.verified, body.verification.reason], [false, 'unsigned']);
  });

  test('answers 422 with GitHub’s messages for a bad tree or parent', async () => {
    const { name, main, tree } = await diverged();
    const create = async (body: unknown) => {
      const answer = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
        ...writer,
        body,
      });
      assert.equal(answer.status, 422);
      const { message, documentation_url } = answer.body as {
        message: string;
        documentation_url: string;
      };
      assert.equal(documentation_url, 'https://docs.github.com/rest/git/commits#create-a-commit');
      return message;
    };
    assert.equal(await create({ message: 'm', tree: '0'.repeat(40) }), 'Tree SHA does not exist');
    assert.equal(await create({ message: 'm', tree: main }), 'Tree SHA is not a tree object');
    assert.equal(
      await create({ message: 'm', tree, parents: ['abc'] }),
      "Each SHA in the 'parents' parameter must be exactly 40 characters and contain only [0-9a-f].",
    );
    assert.equal(
      await create({ message: 'm', tree, parents: [main, '0'.repeat(40)] }),
      'Parent SHA does not exist or is not a commit object',
    );
    assert.equal(
      await create({ message: 'm', tree, parents: [tree] }),
      'Parent SHA does not exist or is not a commit object',
    );
    assert.equal(await create({ tree }), 'Invalid request.\n\n"message" wasn\'t supplied.');
  });

  test('answers 403 to a read-only token', async () => {
    const { name, main, tree } = await diverged();
    const answer = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
      token: testTokens.reader,
      body: { message: 'm', tree, parents: [main] },
    });
    assert.equal(answer.status, 403);
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

  test('closes an open pull request whose commits are pushed to its base branch', async () => {
    const { name, base } = await repository();
    await branchWithChange(name, base, 'merge-me');
    await call(emulator(), 'POST', `/repos/${name}/pulls`, {
      ...writer,
      body: { title: 't', head: 'acme:merge-me', base: 'main' },
    });
    await emulator().pushFiles(name, 'main', { 'other.txt': 'o\n' });
    assert.equal(emulator().pullRequests(name)[0]?.state, 'open', 'the base moving alone');
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/release', sha: base },
    });
    const head = await emulator().head(name, 'merge-me');
    await call(emulator(), 'PATCH', `/repos/${name}/git/refs/heads/release`, {
      ...writer,
      body: { sha: head },
    });
    assert.equal(emulator().pullRequests(name)[0]?.state, 'open', 'another branch taking it');
    const main = await emulator().head(name, 'main');
    const tree = (await emulator().commit(name, main ?? '')).tree;
    const merge = await call(emulator(), 'POST', `/repos/${name}/git/commits`, {
      ...writer,
      body: { message: 'Merge', tree, parents: [main, head] },
    });
    await call(emulator(), 'PATCH', `/repos/${name}/git/refs/heads/main`, {
      ...writer,
      body: { sha: (merge.body as { sha: string }).sha },
    });
    assert.equal(emulator().pullRequests(name)[0]?.state, 'closed');
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

describe('reading refs and comparing commits', () => {
  /** Git's blob id of `text`: what GitHub gives as a file's `sha`. */
  function blobSha(text: string): string {
    const bytes = Buffer.from(text);
    return createHash('sha1')
      .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
      .digest('hex');
  }

  test('gives a branch with 200 and answers 404 Not Found for a missing one', async () => {
    const { name, base } = await repository();
    const found = await call(emulator(), 'GET', `/repos/${name}/git/ref/heads/main`, writer);
    assert.equal(found.status, 200);
    assert.equal((found.body as { ref: string }).ref, 'refs/heads/main');
    assert.equal((found.body as { object: { sha: string } }).object.sha, base);
    const missing = await call(emulator(), 'GET', `/repos/${name}/git/ref/heads/nope`, writer);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, {
      message: 'Not Found',
      documentation_url: 'https://docs.github.com/rest/git/refs#get-a-reference',
      status: '404',
    });
  });

  test('compares a branch ahead of its base: its commits and the files they change', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/topic', sha: base },
    });
    const head = await emulator().pushFiles(name, 'topic', {
      'README.md': '# config\nmore\n',
      'new.txt': 'new\n',
    });
    const answer = await call(emulator(), 'GET', `/repos/${name}/compare/main...topic`, writer);
    assert.equal(answer.status, 200);
    const body = answer.body as {
      status: string;
      ahead_by: number;
      behind_by: number;
      total_commits: number;
      merge_base_commit: { sha: string };
      commits: { sha: string; parents: { sha: string }[] }[];
      files: { filename: string; status: string; sha: string; additions: number }[];
    };
    assert.equal(body.status, 'ahead');
    assert.equal(body.ahead_by, 1);
    assert.equal(body.behind_by, 0);
    assert.equal(body.total_commits, 1);
    assert.equal(body.merge_base_commit.sha, base);
    assert.deepEqual(
      body.commits.map((commit) => [commit.sha, commit.parents.map((parent) => parent.sha)]),
      [[head, [base]]],
    );
    assert.deepEqual(
      body.files.map((file) => [file.filename, file.status, file.sha, file.additions]),
      [
        ['README.md', 'modified', blobSha('# config\nmore\n'), 1],
        ['new.txt', 'added', blobSha('new\n'), 1],
      ],
    );
  });

  test('says identical, behind and diverged as GitHub does', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/side', sha: base },
    });
    const status = async (basehead: string) => {
      const answer = await call(emulator(), 'GET', `/repos/${name}/compare/${basehead}`, writer);
      const body = answer.body as { status: string; ahead_by: number; behind_by: number };
      return [body.status, body.ahead_by, body.behind_by];
    };
    assert.deepEqual(await status('main...side'), ['identical', 0, 0]);
    await emulator().pushFiles(name, 'main', { 'a.txt': 'a\n' });
    assert.deepEqual(await status('main...side'), ['behind', 0, 1]);
    await emulator().pushFiles(name, 'side', { 'b.txt': 'b\n' });
    assert.deepEqual(await status(`main...side`), ['diverged', 1, 1]);
    assert.deepEqual(await status(`${base}...side`), ['ahead', 1, 0]);
  });

  test('lists only the newest 250 commits without paging, and pages oldest first with the files on page 1', async () => {
    const { name, base } = await repository();
    await call(emulator(), 'POST', `/repos/${name}/git/refs`, {
      ...writer,
      body: { ref: 'refs/heads/long', sha: base },
    });
    await emulator().pushFiles(name, 'long', { 'new.txt': 'new\n' }, 'Commit 0');
    const messages = Array.from({ length: 259 }, (_, index) => `Commit ${index + 1}`);
    await appendCommits(emulator(), name, 'long', messages);
    const compare = async (query: string) => {
      const answer = await call(
        emulator(),
        'GET',
        `/repos/${name}/compare/main...long${query}`,
        writer,
      );
      assert.equal(answer.status, 200);
      const body = answer.body as {
        ahead_by: number;
        commits: { commit: { message: string } }[];
        files: { filename: string }[];
      };
      const listed = body.commits.map((commit) => commit.commit.message);
      return {
        ahead: body.ahead_by,
        first: listed[0],
        count: listed.length,
        files: body.files.length,
      };
    };
    assert.deepEqual(await compare(''), { ahead: 260, first: 'Commit 10', count: 250, files: 1 });
    assert.deepEqual(await compare('?per_page=100&page=1'), {
      ahead: 260,
      first: 'Commit 0',
      count: 100,
      files: 1,
    });
    assert.deepEqual(await compare('?per_page=100&page=3'), {
      ahead: 260,
      first: 'Commit 200',
      count: 60,
      files: 0,
    });
    assert.deepEqual(await compare('?page=2'), {
      ahead: 260,
      first: 'Commit 30',
      count: 30,
      files: 0,
    });
    assert.deepEqual(await compare('?per_page=500'), {
      ahead: 260,
      first: 'Commit 0',
      count: 100,
      files: 1,
    });
  });

  test('answers 404 for an unknown ref and for commits without a common ancestor', async () => {
    const { name } = await repository();
    const unknown = await call(emulator(), 'GET', `/repos/${name}/compare/main...nope`, writer);
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { message: string }).message, 'Not Found');
    await emulator().pushFiles(name, 'orphan', { 'o.txt': 'o\n' });
    const unrelated = await call(emulator(), 'GET', `/repos/${name}/compare/main...orphan`, writer);
    assert.equal(unrelated.status, 404);
    assert.deepEqual(unrelated.body, {
      message: 'No common ancestor between main and orphan.',
      documentation_url: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
      status: '404',
    });
  });
});
