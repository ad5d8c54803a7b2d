import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import { withAuth } from '@kustodian/shared/source/auth-files';
import {
  configEnv,
  credentialsFingerprint,
  credentialsFromSecretData,
  hidden,
  planAuth,
} from '@kustodian/shared/source/credentials';
import { SourceError } from '@kustodian/shared/source/failure';
import { parseSourceUrl } from '@kustodian/shared/source/url';

const https = parseSourceUrl('https://git.example.com/org/config.git', {});
const ssh = parseSourceUrl('git@git.example.com:org/config.git', {});
const b64 = (text: string) => Buffer.from(text).toString('base64');

function refusal(action: () => unknown): SourceError {
  try {
    action();
  } catch (error) {
    assert.ok(error instanceof SourceError);
    assert.equal(error.reason, 'InvalidSource');
    return error;
  }
  return assert.fail('expected a refusal');
}

describe('credentials from a Secret', () => {
  it('decodes the known keys of Secret data and ignores empty and unknown ones', () => {
    const credentials = credentialsFromSecretData({
      username: b64('bot'),
      password: b64('s3cret-value'),
      'ca.crt': b64('-----BEGIN CERTIFICATE-----\n'),
      known_hosts: '',
      other: b64('ignored'),
    });
    assert.deepEqual(
      { ...credentials },
      {
        username: 'bot',
        password: 's3cret-value',
        caCert: '-----BEGIN CERTIFICATE-----\n',
      },
    );
  });

  it('shows [REDACTED] when printed, inspected or serialized', () => {
    const credentials = credentialsFromSecretData({ password: b64('s3cret-value') });
    assert.equal(inspect(credentials), '[REDACTED]');
    assert.equal(JSON.stringify({ credentials }), '{"credentials":"[REDACTED]"}');
    assert.equal(`${credentials}`, '[REDACTED]');
  });

  it('fingerprints credentials by content under a key', () => {
    const key = Buffer.alloc(32, 1);
    const a = credentialsFingerprint(hidden({ username: 'u', password: 'p1' }), key);
    assert.equal(a, credentialsFingerprint({ username: 'u', password: 'p1' }, key));
    assert.notEqual(a, credentialsFingerprint({ username: 'u', password: 'p2' }, key));
    assert.notEqual(
      a,
      credentialsFingerprint({ username: 'u', password: 'p1' }, Buffer.alloc(32, 2)),
    );
    assert.notEqual(credentialsFingerprint(undefined, key), a);
  });
});

describe('credentials as git configuration', () => {
  it('sends username and password as a Basic header through GIT_CONFIG_* variables', () => {
    const plan = planAuth({ username: 'bot', password: 's3cret-value' }, https, '/run/auth-1');
    const header = `Authorization: Basic ${b64('bot:s3cret-value')}`;
    assert.deepEqual(plan.env, configEnv([['http.extraHeader', header]]));
    assert.deepEqual(plan.env, {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.extraHeader',
      GIT_CONFIG_VALUE_0: header,
    });
    assert.deepEqual(plan.files, []);
    assert.ok(plan.secrets.includes('s3cret-value') && plan.secrets.includes(header));
  });

  it('sends a bearer token and trusts a CA through a file in the private directory', () => {
    const plan = planAuth({ bearerToken: 'tok-123456', caCert: 'PEM' }, https, '/run/auth-1');
    assert.deepEqual(plan.files, [{ path: '/run/auth-1/ca.crt', content: 'PEM' }]);
    assert.deepEqual(
      plan.env,
      configEnv([
        ['http.extraHeader', 'Authorization: Bearer tok-123456'],
        ['http.sslCAInfo', '/run/auth-1/ca.crt'],
      ]),
    );
  });

  it('gives anonymous HTTPS no configuration at all', () => {
    assert.deepEqual(planAuth(undefined, https, '/run/a'), { files: [], env: {}, secrets: [] });
  });

  it('refuses ambiguous, half and header-injecting HTTP credentials', () => {
    refusal(() => planAuth({ bearerToken: 't', username: 'u', password: 'p' }, https, '/d'));
    assert.match(refusal(() => planAuth({ username: 'u' }, https, '/d')).message, /go together/);
    refusal(() => planAuth({ username: 'u:x', password: 'p' }, https, '/d'));
    const injected = refusal(() => planAuth({ bearerToken: 'tok\r\nX-Evil: 1' }, https, '/d'));
    assert.ok(!injected.message.includes('tok'), injected.message);
  });

  it('runs ssh with the key, the pinned hosts and strict host checking', () => {
    const plan = planAuth(
      { identity: 'KEY', knownHosts: 'HOSTS', password: 'unused' },
      ssh,
      '/run/a b',
    );
    assert.deepEqual(plan.files, [
      { path: '/run/a b/identity', content: 'KEY\n' },
      { path: '/run/a b/known_hosts', content: 'HOSTS' },
    ]);
    assert.equal(
      plan.env.GIT_SSH_COMMAND,
      "ssh -F /dev/null -i '/run/a b/identity' -o IdentitiesOnly=yes -o UserKnownHostsFile='/run/a b/known_hosts' -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes -o ConnectTimeout=30",
    );
    assert.equal(plan.env.GIT_CONFIG_COUNT, undefined);
    assert.ok(plan.secrets.includes('KEY'));
  });

  it('refuses an SSH source without known_hosts or without a key', () => {
    const noHosts = refusal(() => planAuth({ identity: 'KEY' }, ssh, '/d'));
    assert.equal(
      noHosts.message,
      'fetch git@git.example.com:org/config.git: an SSH source needs known_hosts in its Secret: hosts whose key is not pinned are refused',
    );
    refusal(() => planAuth(undefined, ssh, '/d'));
    assert.match(refusal(() => planAuth({ knownHosts: 'H' }, ssh, '/d')).message, /needs identity/);
  });
});

describe('credential files', () => {
  it('writes the SSH key and pinned hosts 0600 in a 0700 directory for the command only', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'kustodian-auth-'));
    try {
      const credentials = hidden({ identity: 'KEY', knownHosts: 'example.com ssh-ed25519 AAAA' });
      const seen = await withAuth(join(scratch, 'private'), credentials, ssh, async (auth) => {
        const keyPath = /-i '([^']+)'/.exec(auth.env.GIT_SSH_COMMAND ?? '')?.[1] ?? '';
        const dir = dirname(keyPath);
        return {
          key: await readFile(keyPath, 'utf8'),
          hosts: await readFile(join(dir, 'known_hosts'), 'utf8'),
          modes: await Promise.all(
            [keyPath, join(dir, 'known_hosts'), dir, dirname(dir)].map(async (path) =>
              ((await stat(path)).mode & 0o777).toString(8),
            ),
          ),
        };
      });
      assert.equal(seen.key, 'KEY\n');
      assert.equal(seen.hosts, 'example.com ssh-ed25519 AAAA');
      assert.deepEqual(seen.modes, ['600', '600', '700', '700']);
      assert.deepEqual(await readdir(join(scratch, 'private')), []);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });

  it('removes the files when the command fails', async () => {
    const scratch = await mkdtemp(join(tmpdir(), 'kustodian-auth-'));
    try {
      const credentials = hidden({ bearerToken: 'tok-123456', caCert: 'PEM' });
      const failing = withAuth(scratch, credentials, https, async () => {
        assert.equal((await readdir(scratch)).length, 1);
        throw new Error('git failed');
      });
      await assert.rejects(failing, /git failed/);
      assert.deepEqual(await readdir(scratch), []);
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
