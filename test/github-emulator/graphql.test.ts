import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { call, githubEmulator, testTokens, uniqueRepository, writerLogin } from './for-tests.ts';

const emulator = githubEmulator();

// Laid out as clients send it: the field sits on line 2, column 3.
const mutation = `mutation ($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) { commit { oid url } }
}`;

function input(name: string, expectedHeadOid: string | undefined, files: Record<string, string>) {
  return {
    branch: { repositoryNameWithOwner: name, branchName: 'main' },
    ...(expectedHeadOid === undefined ? {} : { expectedHeadOid }),
    message: { headline: 'Bump app', body: 'Because.' },
    fileChanges: {
      additions: Object.entries(files).map(([path, text]) => ({
        path,
        contents: Buffer.from(text).toString('base64'),
      })),
    },
  };
}

function commitOnBranch(variables: unknown, token: string = testTokens.writer) {
  return call(emulator(), 'POST', '/graphql', { token, body: { query: mutation, variables } });
}

describe('createCommitOnBranch', () => {
  test('commits on the expected head, moves the branch and marks the commit Verified', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'app/k.yaml': 'old\n', 'x.txt': 'x\n' });
    const answer = await commitOnBranch({ input: input(name, base, { 'app/k.yaml': 'new\n' }) });
    assert.equal(answer.status, 200);
    const oid = (answer.body as { data: { createCommitOnBranch: { commit: { oid: string } } } })
      .data.createCommitOnBranch.commit.oid;
    assert.equal(await emulator().head(name, 'main'), oid);
    assert.equal(await emulator().readFile(name, oid, 'app/k.yaml'), 'new\n');
    assert.equal(await emulator().readFile(name, oid, 'x.txt'), 'x\n');
    const commit = await emulator().commit(name, oid);
    assert.deepEqual(commit.parents, [base]);
    assert.equal(commit.message, 'Bump app\n\nBecause.');
    assert.equal(commit.author.name, writerLogin);
    const rest = await call(emulator(), 'GET', `/repos/${name}/commits/${oid}`, {
      token: testTokens.writer,
    });
    const verification = (rest.body as { commit: { verification: Record<string, unknown> } }).commit
      .verification;
    assert.equal(verification.verified, true);
    assert.equal(verification.reason, 'valid');
  });

  test('removes the files named in deletions and writes the additions in the same commit', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, {
      'app/a.yaml': 'a\n',
      'app/b.yaml': 'b\n',
      'keep.txt': 'k\n',
    });
    const changes = input(name, base, { 'app/a.yaml': 'a2\n' });
    const answer = await commitOnBranch({
      input: {
        ...changes,
        fileChanges: { ...changes.fileChanges, deletions: [{ path: 'app/b.yaml' }] },
      },
    });
    const oid = (answer.body as { data: { createCommitOnBranch: { commit: { oid: string } } } })
      .data.createCommitOnBranch.commit.oid;
    assert.equal(await emulator().readFile(name, oid, 'app/a.yaml'), 'a2\n');
    assert.equal(await emulator().readFile(name, oid, 'app/b.yaml'), undefined);
    assert.equal(await emulator().readFile(name, oid, 'keep.txt'), 'k\n');
    assert.deepEqual((await emulator().commit(name, oid)).parents, [base]);
  });

  test('refuses to delete a path that is no file at the head and leaves the branch alone', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'app/a.yaml': 'a\n' });
    for (const path of ['app/missing.yaml', 'app']) {
      const answer = await commitOnBranch({
        input: { ...input(name, base, {}), fileChanges: { deletions: [{ path }] } },
      });
      assert.equal(answer.status, 200);
      const body = answer.body as { data: unknown; errors: Record<string, unknown>[] };
      assert.deepEqual(body.data, { createCommitOnBranch: null });
      assert.equal(body.errors[0]?.type, 'UNPROCESSABLE');
      assert.equal(
        body.errors[0]?.message,
        `A path was requested for deletion which does not exist as of commit oid \`${base}\``,
      );
    }
    assert.equal(await emulator().head(name, 'main'), base);
  });

  test('shows a commit pushed with git as unsigned', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const pushed = await emulator().pushFiles(name, 'main', { 'a.txt': 'b\n' });
    const rest = await call(emulator(), 'GET', `/repos/${name}/commits/${pushed}`, {
      token: testTokens.writer,
    });
    const verification = (rest.body as { commit: { verification: Record<string, unknown> } }).commit
      .verification;
    assert.deepEqual([verification.verified, verification.reason], [false, 'unsigned']);
  });

  test('answers STALE_DATA inside an HTTP 200 when the branch has moved', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const moved = await emulator().pushFiles(name, 'main', { 'b.txt': 'b\n' });
    const answer = await commitOnBranch({ input: input(name, base, { 'a.txt': 'c\n' }) });
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body, {
      data: { createCommitOnBranch: null },
      errors: [
        {
          type: 'STALE_DATA',
          path: ['createCommitOnBranch'],
          locations: [{ line: 2, column: 3 }],
          message: `Expected branch to point to "${base}" but it did not.  Pull and try again.`,
        },
      ],
    });
    assert.equal(await emulator().head(name, 'main'), moved);
  });

  test('lets exactly one of eight concurrent commits on the same head land', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        commitOnBranch({ input: input(name, base, { [`f${index}.txt`]: `${index}\n` }) }),
      ),
    );
    const errors = answers.map((answer) => (answer.body as { errors?: { type: string }[] }).errors);
    const landed = errors.filter((list) => list === undefined);
    const stale = errors.filter((list) => list?.[0]?.type === 'STALE_DATA');
    assert.equal(landed.length, 1);
    assert.equal(stale.length, 7);
    const head = await emulator().head(name, 'main');
    assert.ok(head);
    assert.deepEqual((await emulator().commit(name, head)).parents, [base]);
  });

  test('answers NOT_FOUND for a repository that does not exist', async () => {
    const answer = await commitOnBranch({ input: input('acme/missing', 'a'.repeat(40), {}) });
    assert.equal(answer.status, 200);
    const [error] = (answer.body as { errors: Record<string, unknown>[] }).errors;
    assert.equal(error?.type, 'NOT_FOUND');
    assert.equal(error?.message, "Could not resolve to a Repository with the name 'acme/missing'.");
  });

  test('answers FORBIDDEN to a read-only token and leaves the branch alone', async () => {
    const name = uniqueRepository();
    const base = await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const answer = await commitOnBranch(
      { input: input(name, base, { 'a.txt': 'b\n' }) },
      testTokens.reader,
    );
    assert.equal(answer.status, 200);
    const [error] = (answer.body as { errors: Record<string, unknown>[] }).errors;
    assert.equal(error?.type, 'FORBIDDEN');
    assert.equal(error?.message, 'Resource not accessible by integration');
    assert.equal(await emulator().head(name, 'main'), base);
  });

  test('answers HTTP 401 Bad credentials for an unknown token', async () => {
    const answer = await commitOnBranch({ input: {} }, 'ghp_wrong');
    assert.equal(answer.status, 401);
    assert.deepEqual(answer.body, {
      message: 'Bad credentials',
      documentation_url: 'https://docs.github.com/graphql',
      status: '401',
    });
  });

  test('rejects an input without expectedHeadOid as GitHub validates variables', async () => {
    const name = uniqueRepository();
    await emulator().createRepository(name, { 'a.txt': 'a\n' });
    const answer = await commitOnBranch({ input: input(name, undefined, { 'a.txt': 'b\n' }) });
    assert.equal(answer.status, 200);
    const body = answer.body as { data?: unknown; errors: { message: string }[] };
    assert.equal(body.data, undefined);
    assert.equal(
      body.errors[0]?.message,
      'Variable $input of type CreateCommitOnBranchInput! was provided invalid value for expectedHeadOid (Expected value to not be null)',
    );
  });
});
