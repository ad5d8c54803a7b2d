/**
 * Remote bases, run as a GitHub runner runs the bundled action: an overlay whose
 * kustomization names a base in another repository on the local git server over HTTPS is
 * refused unless `allow-remote` names the host; allowed, it builds and validates, within the
 * fetch limits (a server that never answers stops the build), and no credential of a remote's
 * URL or temporary path reaches a message.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPem } from '../../../test/env/pki.ts';
import { type StallingServer, startStallingServer } from '../../../test/env/stalling-server.ts';
import { runAction, tempDir } from '../helpers.ts';
import { type HttpsGit, seedRepository, startHttpsGit, webConfigFiles } from './https-git.ts';

/** A config repository whose one overlay builds on the remote base at `base`. */
function overlayOn(base: string): Record<string, string> {
  return {
    'production/kustomization.yaml': [
      'namespace: shop',
      'resources:',
      `  - ${base}`,
      'images:',
      '  - name: registry.example.com/web',
      '    newTag: 1.0.0',
      '',
    ].join('\n'),
  };
}

describe('the bundled action on an overlay with a remote base', () => {
  const token = `glpat-${randomBytes(18).toString('base64url')}`;
  const remoteSecret = `ghp_${randomBytes(18).toString('base64url')}`;
  let dir = '';
  let cleanup = async () => {};
  let forge: HttpsGit;
  let stalling: StallingServer;
  let host = '';
  const run = (repository: string, inputs: Record<string, string> = {}) =>
    runAction({
      inputs: { repository: forge.url(repository), token, commit: 'none', ...inputs },
      env: { GIT_SSL_CAINFO: forge.caFile },
    });
  const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

  before(async () => {
    ({ dir, cleanup } = await tempDir('remote'));
    // The shared base is public (fetched without credentials); config repositories are not.
    forge = await startHttpsGit(join(dir, 'forge'), token, undefined, { anonymousRead: true });
    host = new URL(forge.server.url).host;
    const leaf = await forge.ca.issueServer('stalling', { dns: ['localhost'], ips: ['127.0.0.1'] });
    stalling = await startStallingServer({
      cert: await readPem(leaf.cert),
      key: await readPem(leaf.key),
    });
    const base = Object.fromEntries(
      Object.entries(webConfigFiles).filter(([path]) => path.startsWith('base/')),
    );
    await seedRepository(forge, dir, 'acme/shared', base);
    const remote = `${forge.server.url}/acme/shared.git//base?ref=main`;
    await seedRepository(forge, dir, 'acme/config', overlayOn(remote));
    const withSecret = `https://x-access-token:${remoteSecret}@${host}/acme/missing.git//base?ref=main`;
    await seedRepository(forge, dir, 'acme/secret', overlayOn(withSecret));
    const stalled = `${stalling.url}/acme/shared.git//base?ref=main`;
    await seedRepository(forge, dir, 'acme/stalled', overlayOn(stalled));
  });
  after(async () => {
    await stalling?.stop();
    await forge?.server.stop();
    await cleanup();
  });

  it('refuses the remote base by default, naming the allow-remote input and the remote', async () => {
    forge.server.clearRequests();
    const result = await run('acme/config');
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.ok(
      error.includes(
        `remote resources are not allowed: https://${host}/acme/shared.git//base in production/kustomization.yaml would fetch content from ${host}; to allow it set \`allow-remote: ${host}\` in the Action inputs`,
      ),
      error,
    );
    const fetched = forge.server.requests().filter((r) => r.repo === 'acme/shared.git');
    assert.deepEqual(fetched, [], 'nothing was fetched from the refused remote');
  });

  it('builds and validates the overlay when allow-remote names the host', async () => {
    const result = await run('acme/config', {
      'allow-remote': '127.0.0.1',
      images: 'registry.example.com/web=2.0.0',
    });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.deepEqual(errors(result.stdout), []);
    assert.equal(result.outputs.changed, 'true');
    const fetched = forge.server.requests().filter((r) => r.repo === 'acme/shared.git');
    assert.ok(fetched.length > 0, 'the base was fetched from the remote');
  });

  it('keeps the credentials of a remote URL and temporary paths out of a failed fetch', async () => {
    const result = await run('acme/secret', { 'allow-remote': host });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.match(error, /build production: kustomize exited 1: /);
    assert.ok(!result.stdout.includes(remoteSecret), 'the URL token is in no output');
    assert.ok(!result.stderr.includes(remoteSecret), 'the URL token is in no output');
    assert.ok(!error.includes(tmpdir()), `no temporary path in ${error}`);
  });

  it('stops a fetch from a server that never answers with the low-speed limit', async () => {
    const result = await run('acme/stalled', { 'allow-remote': '127.0.0.1' });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    const [error = ''] = errors(result.stdout);
    assert.ok(
      error.includes(
        `build production: git aborted fetching remote ${stalling.url}/acme/shared.git//base: less than 1000 bytes/s arrived for 10 s (the remote fetch low-speed limit)`,
      ),
      error,
    );
    assert.ok(stalling.connections() > 0, 'the fetch reached the stalling server');
    assert.ok(!error.includes(tmpdir()), `no temporary path in ${error}`);
  });
});
