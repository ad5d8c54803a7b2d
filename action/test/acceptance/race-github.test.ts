/**
 * Sixteen runs of the bundled action at once, with the default inputs, against the GitHub
 * emulator (backed by real bare repositories): in `api` mode every bump lands on `main` exactly
 * once as a linear chain of signed commits; in `pull-request` mode, where the default
 * `pr-branch` is derived from the images, every run opens its own pull request whose diff is
 * exactly its bump. Nothing is ever forced.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  githubEmulator,
  testTokens,
  uniqueRepository,
} from '../../../test/github-emulator/for-tests.ts';
import { pullRequestDiff } from '../github/support.ts';
import { git, runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, startHttpsGit } from './https-git.ts';
import { apps, raceRepository } from './race-repository.ts';

const emulator = githubEmulator();
const file = 'production/kustomization.yaml';

describe('concurrent runs through the GitHub API', () => {
  let cleanup = async () => {};
  let https: HttpsGit;
  before(async () => {
    let dir = '';
    ({ dir, cleanup } = await tempDir('race-github'));
    https = await startHttpsGit(dir, testTokens.writer, emulator().git.root);
  });
  after(async () => {
    await https?.server.stop();
    await cleanup();
  });

  /** All sixteen runs at once, each bumping its own app in `name`, with only `commit` set. */
  function bumpAll(name: string, commit: 'api' | 'pull-request') {
    return Promise.all(
      apps.map((app, index) =>
        runAction({
          inputs: {
            repository: name,
            'github-token': testTokens.writer,
            images: `registry.example.com/${app}=2.0.0`,
            commit,
          },
          env: {
            GIT_SSL_CAINFO: https.caFile,
            GITHUB_SERVER_URL: https.server.url,
            GITHUB_API_URL: emulator().apiUrl,
            GITHUB_GRAPHQL_URL: `${emulator().apiUrl}/graphql`,
            GITHUB_RUN_ID: String(1000 + index),
          },
        }),
      ),
    );
  }

  /** No request asked GitHub to force a branch update. */
  function assertNothingForced(): void {
    const forced = emulator()
      .requests()
      .filter((request) => JSON.stringify(request.body ?? {}).includes('"force":true'));
    assert.deepEqual(forced, []);
  }

  it('in api mode lands all sixteen bumps on main, each once, as a linear chain', async () => {
    const name = uniqueRepository();
    const seed = await emulator().createRepository(name, raceRepository());
    emulator().clearRequests();
    const runs = await bumpAll(name, 'api');
    for (const run of runs) assert.equal(run.code, 0, run.stdout + run.stderr);
    const bare = join(emulator().git.root, `${name}.git`);
    const chain = (await git(['--git-dir', bare, 'rev-list', '--parents', 'main']))
      .trim()
      .split('\n')
      .map((line) => line.split(' '));
    assert.equal(chain.length, 1 + apps.length);
    // Every commit has one parent, the next one down: no merge, nothing replaced.
    chain.slice(0, -1).forEach(([commit, parent, ...more], index) => {
      assert.deepEqual(more, [], `${commit} is no merge commit`);
      assert.equal(parent, chain[index + 1]?.[0]);
    });
    assert.equal(chain.at(-1)?.[0], seed);
    const landed = runs.map((run) => run.outputs['commit-sha']).sort();
    assert.deepEqual(
      landed,
      chain
        .slice(0, -1)
        .map(([commit]) => commit)
        .sort(),
    );
    const subjects = (await git(['--git-dir', bare, 'log', '--format=%s', 'main'])).split('\n');
    const text = (await emulator().readFile(name, 'main', file)) ?? '';
    for (const app of apps) {
      const own = subjects.filter((line) => line.includes(`registry.example.com/${app} `));
      assert.equal(own.length, 1, `${app} landed once`);
      assert.match(text, new RegExp(`- name: registry.example.com/${app}\\n    newTag: 2.0.0\\n`));
    }
    assertNothingForced();
  });

  it('in pull-request mode opens one pull request per run, each showing exactly its bump', async () => {
    const name = uniqueRepository();
    const seed = await emulator().createRepository(name, raceRepository());
    emulator().clearRequests();
    const runs = await bumpAll(name, 'pull-request');
    for (const run of runs) assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal(await emulator().head(name, 'main'), seed, 'the base is left as it is');
    const pulls = emulator().pullRequests(name);
    assert.equal(pulls.length, apps.length);
    for (const [index, app] of apps.entries()) {
      const url = runs[index]?.outputs['pull-request-url'] ?? '';
      const pull = pulls.find((candidate) => url.endsWith(`/pull/${candidate.number}`));
      assert.ok(pull, `${app} has its pull request`);
      assert.deepEqual(await pullRequestDiff(emulator(), name, 'main', pull.head), {
        mergeBase: seed,
        paths: [file],
      });
      const theirs = (await emulator().readFile(name, pull.head, file)) ?? '';
      const bumped = apps.filter((other) =>
        new RegExp(`- name: registry.example.com/${other}\\n    newTag: 2.0.0\\n`).test(theirs),
      );
      assert.deepEqual(bumped, [app]);
    }
    assertNothingForced();
  });
});
