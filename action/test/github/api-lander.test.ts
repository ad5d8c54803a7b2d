import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  call,
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { createApiLander } from '../../src/github/api-lander.ts';
import { workingCopyRefresher } from '../../src/github/checkout.ts';
import type { Lander, PrepareEdit } from '../../src/land/types.ts';
import {
  cloneFromEmulator,
  emulatorClient,
  instantClock,
  kustomization,
  setImagesIn,
  type TestWorkingCopy,
} from './support.ts';

const emulator = githubEmulator();
const path = 'apps/web/kustomization.yaml';

async function configRepository(images: number): Promise<string> {
  const name = uniqueRepository();
  await emulator().createRepository(name, {
    [path]: kustomization(images),
    'apps/web/deployment.yaml': 'kind: Deployment\n',
  });
  return name;
}

async function apiLander(
  name: string,
  options: {
    maxAttempts?: number;
    timeoutMs?: number;
    clock?: ReturnType<typeof instantClock>;
  } = {},
): Promise<{ lander: Lander; copy: TestWorkingCopy }> {
  const copy = await cloneFromEmulator(emulator(), name, 'main', testTokens.writer);
  const lander = createApiLander({
    client: emulatorClient(emulator(), name, testTokens.writer),
    branch: 'main',
    checkout: workingCopyRefresher(copy, 'main'),
    retry: {
      timeoutMs: options.timeoutMs ?? 300_000,
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    },
    clock: options.clock ?? instantClock(),
  });
  return { lander, copy };
}

describe('commit: api', () => {
  test('lands one commit that GitHub shows as Verified, changing only the edited tag', async () => {
    const name = await configRepository(2);
    const { lander, copy } = await apiLander(name);
    try {
      const before = await emulator().head(name, 'main');
      const result = await lander.land({
        message: 'Bump app-1 to 2.0.0',
        prepare: setImagesIn(path, [{ name: 'app-1', newTag: '2.0.0' }]),
      });
      assert.equal(result.outcome, 'committed');
      assert.equal(result.attempts, 1);
      assert.deepEqual(result.changedPaths, [path]);
      assert.equal(await emulator().head(name, 'main'), result.commitSha);
      const commit = await emulator().commit(name, result.commitSha ?? '');
      assert.deepEqual(commit.parents, [before]);
      const rest = await call(emulator(), 'GET', `/repos/${name}/commits/${result.commitSha}`, {
        token: testTokens.writer,
      });
      const { verification } = (rest.body as { commit: { verification: { verified: boolean } } })
        .commit;
      assert.equal(verification.verified, true);
      const expected = kustomization(2).replace(
        '- name: app-1\n    newTag: 1.0.0 # bumped by CI',
        '- name: app-1\n    newTag: 2.0.0 # bumped by CI',
      );
      assert.notEqual(expected, kustomization(2));
      assert.equal(await emulator().readFile(name, 'main', path), expected);
    } finally {
      await copy.remove();
    }
  });

  test('removes a file and writes another in one Verified commit', async () => {
    const name = await configRepository(1);
    const { lander, copy } = await apiLander(name);
    try {
      const before = await emulator().head(name, 'main');
      const result = await lander.land({
        message: 'Roll back',
        prepare: async () => [
          { path: 'apps/web/deployment.yaml', deleted: true },
          { path: 'apps/web/service.yaml', content: 'kind: Service\n' },
        ],
      });
      assert.equal(result.outcome, 'committed');
      assert.deepEqual(result.changedPaths, ['apps/web/deployment.yaml', 'apps/web/service.yaml']);
      const sha = result.commitSha ?? '';
      assert.equal(await emulator().readFile(name, sha, 'apps/web/deployment.yaml'), undefined);
      assert.equal(
        await emulator().readFile(name, sha, 'apps/web/service.yaml'),
        'kind: Service\n',
      );
      assert.equal(await emulator().readFile(name, sha, path), kustomization(1));
      const commit = await emulator().commit(name, sha);
      assert.deepEqual(commit.parents, [before]);
      assert.equal(commit.verified, true);
    } finally {
      await copy.remove();
    }
  });

  test('is unchanged, with no commit, when the branch already holds the tag', async () => {
    const name = await configRepository(1);
    const { lander, copy } = await apiLander(name);
    try {
      const before = await emulator().head(name, 'main');
      const result = await lander.land({
        message: 'Bump',
        prepare: setImagesIn(path, [{ name: 'app-0', newTag: '1.0.0' }]),
      });
      assert.deepEqual(result, { outcome: 'unchanged', attempts: 1, changedPaths: [] });
      assert.equal(await emulator().head(name, 'main'), before);
    } finally {
      await copy.remove();
    }
  });

  test('prepares again on the new head after STALE_DATA and keeps the other commit', async () => {
    const name = await configRepository(2);
    const clock = instantClock();
    const { lander, copy } = await apiLander(name, { clock });
    try {
      const bump = setImagesIn(path, [{ name: 'app-0', newTag: '3.0.0' }]);
      let calls = 0;
      const prepare: PrepareEdit = async (checkout) => {
        calls++;
        // Another writer lands a bump of app-1 while the first attempt is being prepared.
        if (calls === 1) {
          const other = kustomization(2).split('\n');
          const at = other.indexOf('  - name: app-1');
          other[at + 1] = '    newTag: 1.5.0 # bumped by CI';
          await emulator().pushFiles(name, 'main', { [path]: other.join('\n') });
        }
        return bump(checkout);
      };
      const result = await lander.land({ message: 'Bump app-0', prepare });
      assert.equal(result.outcome, 'committed');
      assert.equal(result.attempts, 2);
      assert.equal(clock.waits.length, 1);
      const text = (await emulator().readFile(name, 'main', path)) ?? '';
      assert.match(text, /- name: app-0\n {4}newTag: 3\.0\.0 # bumped by CI/);
      assert.match(text, /- name: app-1\n {4}newTag: 1\.5\.0 # bumped by CI/);
      const stale = emulator()
        .requests()
        .filter((request) => request.graphqlErrors.includes('STALE_DATA'));
      assert.ok(stale.length >= 1);
    } finally {
      await copy.remove();
    }
  });

  test('gives up after max-attempts when the branch keeps moving, naming the branch', async () => {
    const name = await configRepository(1);
    const clock = instantClock();
    const { lander, copy } = await apiLander(name, { maxAttempts: 3, clock });
    try {
      const bump = setImagesIn(path, [{ name: 'app-0', newTag: '4.0.0' }]);
      let round = 0;
      const prepare: PrepareEdit = async (checkout) => {
        round++;
        await emulator().pushFiles(name, 'main', { [`noise-${round}.txt`]: `${round}\n` });
        return bump(checkout);
      };
      await assert.rejects(lander.land({ message: 'Bump', prepare }), {
        name: 'StepError',
        message: `commit ${name}@main: the branch kept moving: GitHub answered STALE_DATA to every attempt; gave up after 3 attempts (max-attempts 3)`,
      });
      assert.equal(round, 3);
      assert.equal(clock.waits.length, 2);
      assert.doesNotMatch((await emulator().readFile(name, 'main', path)) ?? '', /4\.0\.0/);
    } finally {
      await copy.remove();
    }
  });

  test('with no max-attempts, keeps trying until the retry-timeout is spent, and says so', async () => {
    const name = await configRepository(1);
    // Every reading of the time advances it by 1 s, and each wait by what was waited.
    const clock = instantClock(1_000);
    const { lander, copy } = await apiLander(name, { timeoutMs: 60_000, clock });
    try {
      const bump = setImagesIn(path, [{ name: 'app-0', newTag: '4.0.0' }]);
      let round = 0;
      const prepare: PrepareEdit = async (checkout) => {
        round++;
        await emulator().pushFiles(name, 'main', { [`noise-${round}.txt`]: `${round}\n` });
        return bump(checkout);
      };
      const thrown = await lander.land({ message: 'Bump', prepare }).then(
        () => assert.fail('landed on a branch that never stopped moving'),
        (error: unknown) => error,
      );
      // Far more than the five attempts a fixed count used to allow, all of them reported.
      assert.ok(round > 5, `attempts made: ${round}`);
      assert.equal(
        (thrown as Error).message,
        `commit ${name}@main: the branch kept moving: GitHub answered STALE_DATA to every attempt; gave up after ${round} attempts in 1m (retry-timeout)`,
      );
      assert.ok(clock.waits.every((wait) => wait <= 60_000));
      assert.doesNotMatch((await emulator().readFile(name, 'main', path)) ?? '', /4\.0\.0/);
    } finally {
      await copy.remove();
    }
  });

  test('lands eight concurrent runs editing eight images of one file, losing none', async () => {
    const count = 8;
    const name = await configRepository(count);
    const realClock = {
      now: () => performance.now(),
      sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)),
      random: Math.random,
    };
    const runs = await Promise.all(
      Array.from({ length: count }, () =>
        cloneFromEmulator(emulator(), name, 'main', testTokens.writer),
      ),
    );
    emulator().clearRequests();
    try {
      const results = await Promise.all(
        runs.map((copy, index) =>
          createApiLander({
            client: emulatorClient(emulator(), name, testTokens.writer),
            branch: 'main',
            checkout: workingCopyRefresher(copy, 'main'),
            retry: { timeoutMs: 300_000 },
            clock: realClock,
            backoff: { baseMs: 20, capMs: 400 },
          }).land({
            message: `Bump app-${index} to 2.0.${index}`,
            prepare: setImagesIn(path, [{ name: `app-${index}`, newTag: `2.0.${index}` }]),
          }),
        ),
      );
      assert.ok(results.every((result) => result.outcome === 'committed'));
      const text = (await emulator().readFile(name, 'main', path)) ?? '';
      for (let index = 0; index < count; index++) {
        assert.match(
          text,
          new RegExp(`- name: app-${index}\\n {4}newTag: 2\\.0\\.${index} # bumped by CI`),
        );
      }
      assert.equal(text.match(/# app \d is built by its own repository/g)?.length, count);
      const stale = emulator()
        .requests()
        .filter((request) => request.graphqlErrors.includes('STALE_DATA'));
      assert.ok(stale.length >= 1, 'expected at least one STALE_DATA answer');
      assert.ok(results.some((result) => result.attempts > 1));
      const shas = new Set(results.map((result) => result.commitSha));
      assert.equal(shas.size, count);
      for (const sha of shas)
        assert.equal((await emulator().commit(name, sha ?? '')).verified, true);
    } finally {
      await Promise.all(runs.map((copy) => copy.remove()));
    }
  });
});
