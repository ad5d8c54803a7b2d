/**
 * Which token reaches which git server, with the bundled action run as a runner runs it: the
 * workflow's own token (`github-token`, which the runner fills with `github.token`) goes only to
 * the GitHub server the workflow runs on; a `repository` on another forge gets the `token` the
 * user set, or nothing. Both servers are real git servers over HTTPS that record the credential
 * every request presented.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parse } from 'yaml';
import { commitsOf, repoRoot, runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, seedRepository, startHttpsGit, webConfigFiles } from './https-git.ts';

/**
 * The inputs a runner fills with `github.token` when the step leaves them out: those whose
 * default in `action.yml` is `${{ github.token }}`.
 */
async function runnerTokenDefaults(token: string): Promise<Record<string, string>> {
  const yml = parse(await readFile(join(repoRoot, 'action/action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: unknown }>;
  };
  const filled: Record<string, string> = {};
  for (const [name, input] of Object.entries(yml.inputs)) {
    if (
      typeof input.default === 'string' &&
      /^\$\{\{\s*github\.token\s*\}\}$/.test(input.default)
    ) {
      filled[name] = token;
    }
  }
  return filled;
}

describe('the tokens a run sends', () => {
  const workflowToken = `ghs_${randomBytes(18).toString('base64url')}`;
  const forgeToken = `glpat-${randomBytes(18).toString('base64url')}`;
  let dir = '';
  let cleanup = async () => {};
  /** Another forge (a GitLab or Gitea): it accepts only its own token. */
  let forge: HttpsGit;
  /** The GitHub server the workflow runs on: it accepts the workflow's token. */
  let github: HttpsGit;
  let defaults: Record<string, string> = {};
  before(async () => {
    defaults = await runnerTokenDefaults(workflowToken);
    ({ dir, cleanup } = await tempDir('tokens'));
    forge = await startHttpsGit(join(dir, 'forge'), forgeToken);
    github = await startHttpsGit(join(dir, 'github'), workflowToken);
    await seedRepository(forge, join(dir, 'forge'), 'acme/config', webConfigFiles);
    await seedRepository(github, join(dir, 'github'), 'acme/config', webConfigFiles);
  });
  beforeEach(() => {
    forge.server.clearRequests();
    github.server.clearRequests();
  });
  after(async () => {
    await forge?.server.stop();
    await github?.server.stop();
    await cleanup();
  });

  it('never sends the workflow token to a repository on another forge', async () => {
    const run = await runAction({
      inputs: {
        ...defaults,
        repository: forge.url('acme/config'),
        images: 'registry.example.com/web=2.0.0',
      },
      env: { GIT_SSL_CAINFO: forge.caFile },
    });
    assert.notEqual(run.code, 0, 'the forge requires a token and none was given for it');
    assert.match(run.stdout, /git clone/);
    const requests = forge.server.requests();
    assert.ok(requests.length > 0, 'git reached the forge');
    for (const request of requests) {
      assert.notEqual(request.credential, workflowToken, 'the workflow token reached the forge');
      assert.equal(request.credential, undefined);
    }
  });

  it('sends the token set for the repository to that forge, for clone and push', async () => {
    const before = await commitsOf(forge.barePath('acme/config'));
    const run = await runAction({
      inputs: {
        ...defaults,
        repository: forge.url('acme/config'),
        token: forgeToken,
        images: 'registry.example.com/web=2.0.0',
      },
      env: { GIT_SSL_CAINFO: forge.caFile },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((await commitsOf(forge.barePath('acme/config'))).length, before.length + 1);
    const requests = forge.server.requests();
    assert.ok(requests.some((request) => request.service === 'git-receive-pack'));
    for (const request of requests) assert.equal(request.credential, forgeToken);
  });

  it('sends the workflow token to the workflow’s own GitHub server', async () => {
    const before = await commitsOf(github.barePath('acme/config'));
    const run = await runAction({
      inputs: {
        ...defaults,
        repository: 'acme/config',
        images: 'registry.example.com/web=2.0.0',
      },
      env: { GIT_SSL_CAINFO: github.caFile, GITHUB_SERVER_URL: github.server.url },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((await commitsOf(github.barePath('acme/config'))).length, before.length + 1);
    const requests = github.server.requests();
    assert.ok(requests.length > 0);
    for (const request of requests) assert.equal(request.credential, workflowToken);
    assert.deepEqual(forge.server.requests(), []);
  });
});
