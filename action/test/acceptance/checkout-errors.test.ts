/**
 * A config repository the action cannot check out says what to set and which repository it
 * is: an empty repository, a HEAD that names a missing branch, and a `ref` that does not
 * exist, each served by the real git server over HTTPS.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { git, runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, seedRepository, startHttpsGit, webConfigFiles } from './https-git.ts';

describe('the bundled action on a repository it cannot check out', () => {
  const token = `glpat-${randomBytes(18).toString('base64url')}`;
  let dir = '';
  let cleanup = async () => {};
  let forge: HttpsGit;
  const run = (repository: string, extra: Record<string, string> = {}) =>
    runAction({
      inputs: { repository, token, commit: 'none', ...extra },
      env: { GIT_SSL_CAINFO: forge.caFile },
    });
  const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

  before(async () => {
    ({ dir, cleanup } = await tempDir('checkout-errors'));
    forge = await startHttpsGit(join(dir, 'forge'), token);
    await seedRepository(forge, dir, 'acme/config', webConfigFiles);
    await seedRepository(forge, dir, 'acme/dangling', webConfigFiles);
    await git(['symbolic-ref', 'HEAD', 'refs/heads/gone'], forge.barePath('acme/dangling'));
    await git(['init', '-q', '--bare', forge.barePath('acme/empty')]);
  });
  after(async () => {
    await forge?.server.stop();
    await cleanup();
  });

  it('names the ref input and the repository when the repository is empty', async () => {
    const result = await run(forge.url('acme/empty'));
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.match(
      error,
      /checkout https:\/\/127\.0\.0\.1:\d+\/acme\/empty\.git: the default branch has no commit/,
    );
    assert.match(error, /repository is empty.*set the `ref` input/);
    assert.ok(!errors(result.stdout).join('\n').includes(token), 'the token is in no error');
  });

  it('names the ref input when the default branch does not resolve', async () => {
    const result = await run(forge.url('acme/dangling'));
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.match(error, /checkout https:\/\/127\.0\.0\.1:\d+\/acme\/dangling\.git: /);
    assert.match(error, /HEAD names a branch that does not exist; set the `ref` input/);
    assert.doesNotMatch(error, /Needed a single revision$/);
  });

  it('names the ref input and the branch when the ref does not exist', async () => {
    const result = await run(forge.url('acme/config'), { ref: 'nope' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.match(
      error,
      /checkout https:\/\/127\.0\.0\.1:\d+\/acme\/config\.git: branch "nope" does not exist; set the `ref` input/,
    );
  });
});
