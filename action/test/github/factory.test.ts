import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspect } from 'node:util';
import {
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { GitHubApiError } from '../../src/github/errors.ts';
import { createGitHubLander, type GitHubLanderInput } from '../../src/github/factory.ts';
import { cloneFromEmulator, instantClock, kustomization, setImagesIn } from './support.ts';

const emulator = githubEmulator();
const path = 'kustomization.yaml';

async function withCopy(
  run: (input: Omit<GitHubLanderInput, 'mode' | 'token'>, name: string) => Promise<void>,
): Promise<void> {
  const name = uniqueRepository();
  await emulator().createRepository(name, { [path]: kustomization(1) });
  const copy = await cloneFromEmulator(emulator(), name, 'main', testTokens.writer);
  const [owner = '', repo = ''] = name.split('/');
  try {
    await run(
      {
        apiUrl: emulator().apiUrl,
        owner,
        repo,
        git: copy,
        branch: 'main',
        retry: { timeoutMs: 300_000, maxAttempts: 3 },
        clock: instantClock(),
        log: () => {},
      },
      name,
    );
  } finally {
    await copy.remove();
  }
}

describe('the GitHub lander factory', () => {
  test('builds the api lander, which lands through the API', async () => {
    await withCopy(async (input, name) => {
      const lander = createGitHubLander({ ...input, mode: 'api', token: testTokens.writer });
      const result = await lander.land({
        message: 'Bump app-0',
        prepare: setImagesIn(path, [{ name: 'app-0', newTag: '5.0.0' }]),
      });
      assert.equal(result.outcome, 'committed');
      assert.equal(await emulator().head(name, 'main'), result.commitSha);
    });
  });

  test('builds the pull-request lander on a branch named after the images', async () => {
    await withCopy(async (input, name) => {
      const images = [{ name: 'app-0', newTag: '5.0.0' }];
      const lander = createGitHubLander({
        ...input,
        mode: 'pull-request',
        token: testTokens.writer,
        pullRequest: { images },
      });
      const result = await lander.land({
        message: 'Bump app-0',
        prepare: setImagesIn(path, images),
      });
      assert.equal(result.outcome, 'pull-request-opened');
      assert.match(emulator().pullRequests(name)[0]?.head ?? '', /^kustodian\/bump-[0-9a-f]{12}$/);
    });
  });

  test('refuses the pull-request mode with neither images nor pr-branch', async () => {
    await withCopy(async (input) => {
      assert.throws(
        () => createGitHubLander({ ...input, mode: 'pull-request', token: testTokens.writer }),
        {
          message: 'land commit: pull-request: needs the images to name its branch, or a pr-branch',
        },
      );
    });
  });

  test("fails a landing with a bad token with GitHub's answer and without the token", async () => {
    await withCopy(async (input, name) => {
      const token = `ghs_${'0123456789abcdef'.repeat(3)}`;
      const lander = createGitHubLander({ ...input, mode: 'api', token });
      const before = await emulator().head(name, 'main');
      const failure = await lander
        .land({ message: 'Bump', prepare: setImagesIn(path, [{ name: 'app-0', newTag: '6.0.0' }]) })
        .then(
          () => assert.fail('expected the landing to fail'),
          (thrown: unknown) => thrown,
        );
      assert.ok(failure instanceof GitHubApiError);
      assert.equal(failure.status, 401);
      assert.match(failure.message, /GitHub answered HTTP 401: Bad credentials/);
      assert.ok(!inspect(failure, { depth: Infinity }).includes(token));
      assert.equal(await emulator().head(name, 'main'), before);
    });
  });
});
