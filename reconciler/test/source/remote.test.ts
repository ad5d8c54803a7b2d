import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { hidden } from '@kustodian/shared/source/credentials';
import { SourceError, type SourceFailureReason } from '@kustodian/shared/source/failure';
import { resolveRevision } from '@kustodian/shared/source/remote';
import type { SourceRequest } from '@kustodian/shared/source/request';
import { type GitFixture, startGitFixture } from './git-fixture.ts';

const execFileAsync = promisify(execFile);

/** Runs `action`, expecting a SourceError with `reason`, and returns it. */
async function rejected(
  action: Promise<unknown>,
  reason: SourceFailureReason,
): Promise<SourceError> {
  const error = await action.then(
    () => assert.fail('expected a SourceError'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof SourceError, `not a SourceError: ${String(error)}`);
  assert.equal(error.reason, reason, error.message);
  assert.equal(error.step, 'fetch');
  return error;
}

describe('resolveRevision over HTTP', () => {
  let fx: GitFixture;
  let first: string;
  let second: string;
  const request = (ref: SourceRequest['ref'], repo = 'app'): SourceRequest => ({
    url: fx.repoUrl(repo),
    ref,
    credentials: fx.credentials(),
  });

  before(async () => {
    fx = await startGitFixture();
    first = await fx.commit('app', { 'a.txt': 'one\n' }, 'first');
    await fx.git('app', ['tag', 'v0']);
    second = await fx.commit('app', { 'a.txt': 'two\n' }, 'second');
    await fx.git('app', ['tag', '--annotate', '-m', 'release 1', 'v1']);
    await fx.push('app', ['v0', 'v1']);
  });
  after(() => fx.close());

  it('resolves a branch to the commit at its tip', async () => {
    const deps = await fx.deps();
    assert.equal(await resolveRevision(request({ kind: 'branch', name: 'main' }), deps), second);
  });

  it('resolves a lightweight tag and an annotated tag to the commits they name', async () => {
    const deps = await fx.deps();
    assert.equal(await resolveRevision(request({ kind: 'tag', name: 'v0' }), deps), first);
    const tagObject = (await fx.git('app', ['rev-parse', 'v1'])).trim();
    assert.notEqual(tagObject, second);
    assert.equal(await resolveRevision(request({ kind: 'tag', name: 'v1' }), deps), second);
  });

  it('takes a full commit hash as it is, without asking the server', async () => {
    const deps = await fx.deps();
    fx.server.clearRequests();
    const given = first.toUpperCase();
    assert.equal(await resolveRevision(request({ kind: 'commit', name: given }), deps), first);
    assert.deepEqual(fx.server.requests(), []);
    assert.deepEqual(deps.calls, []);
  });

  it('sees a commit pushed after the previous check', async () => {
    const deps = await fx.deps();
    const main = request({ kind: 'branch', name: 'main' }, 'moving');
    const earlier = await fx.commit('moving', { 'x.txt': '1' });
    assert.equal(await resolveRevision(main, deps), earlier);
    const later = await fx.commit('moving', { 'x.txt': '2' });
    assert.notEqual(later, earlier);
    assert.equal(await resolveRevision(main, deps), later);
  });

  it('passes credentials through the environment, never through arguments', async () => {
    const deps = await fx.deps();
    await resolveRevision(request({ kind: 'branch', name: 'main' }), deps);
    const basic = Buffer.from(`${fx.username}:${fx.password}`).toString('base64');
    assert.equal(deps.calls.length, 1);
    const [call] = deps.calls;
    assert.ok(!call?.args.some((arg) => arg.includes(fx.password) || arg.includes(basic)));
    assert.ok(Object.values(call?.env ?? {}).includes(`Authorization: Basic ${basic}`));
    assert.equal(call?.env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(call?.env.GIT_CONFIG_NOSYSTEM, '1');
  });

  it('reports a wrong password as AuthFailed without the password in the message, logs or arguments', async () => {
    const deps = await fx.deps();
    const wrong = 'wrong-password-7f3a9c';
    const bad = {
      ...request({ kind: 'branch', name: 'main' }),
      credentials: hidden({ username: fx.username, password: wrong }),
    };
    const error = await rejected(resolveRevision(bad, deps), 'AuthFailed');
    assert.match(
      error.message,
      /^fetch http:\/\/127\.0\.0\.1:\d+\/app\.git: git ls-remote exited 128: /,
    );
    const logged = JSON.stringify(deps.sink.lines);
    assert.match(logged, /source check failed/);
    for (const text of [error.message, logged, JSON.stringify(deps.calls.map((c) => c.args))]) {
      assert.ok(!text.includes(wrong), text);
      assert.ok(!text.includes(fx.password), text);
    }
  });

  it('reports a server outage as Unreachable', async () => {
    const deps = await fx.deps();
    fx.server.setMode('unavailable');
    try {
      const error = await rejected(
        resolveRevision(request({ kind: 'branch', name: 'main' }), deps),
        'Unreachable',
      );
      assert.match(error.message, /503/);
    } finally {
      fx.server.setMode('serving');
    }
  });

  it('reports a host that refuses connections as Unreachable', async () => {
    const deps = await fx.deps();
    const closed = {
      url: 'http://127.0.0.1:1/app.git',
      ref: { kind: 'branch', name: 'main' },
    } as const;
    await rejected(resolveRevision(closed, deps), 'Unreachable');
  });

  it('reports a server that never answers as Timeout once the time limit passes', async () => {
    const silent = createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const deps = await fx.deps({ allowHttp: true }, 500);
      const hung = {
        url: `http://127.0.0.1:${port}/app.git`,
        ref: { kind: 'branch', name: 'main' },
      } as const;
      const error = await rejected(resolveRevision(hung, deps), 'Timeout');
      assert.match(error.message, /git ls-remote timed out after 500 ms/);
    } finally {
      silent.close();
    }
  });

  it('reports an unknown branch and an unknown repository as RefNotFound', async () => {
    const deps = await fx.deps();
    const error = await rejected(
      resolveRevision(request({ kind: 'branch', name: 'nope' }), deps),
      'RefNotFound',
    );
    assert.match(
      error.message,
      /^fetch http:\/\/127\.0\.0\.1:\d+\/app\.git: branch "nope" does not exist in the repository.*; set spec\.source\.ref\.branch to one that does$/,
    );
    const tag = await rejected(
      resolveRevision(request({ kind: 'tag', name: 'v9' }), deps),
      'RefNotFound',
    );
    assert.match(
      tag.message,
      /tag "v9" does not exist in the repository; set spec\.source\.ref\.tag/,
    );
    await rejected(
      resolveRevision(request({ kind: 'branch', name: 'main' }, 'missing'), deps),
      'RefNotFound',
    );
  });

  it('names the ref field to set when the repository is empty', async () => {
    const deps = await fx.deps();
    await execFileAsync('git', ['init', '-q', '--bare', join(fx.dir, 'server', 'empty.git')]);
    const error = await rejected(
      resolveRevision(request({ kind: 'branch', name: 'main' }, 'empty'), deps),
      'RefNotFound',
    );
    assert.match(
      error.message,
      /empty\.git: branch "main" does not exist in the repository \(the repository may be empty\); set spec\.source\.ref\.branch/,
    );
    assert.doesNotMatch(error.message, new RegExp(fx.password));
  });

  it('refuses plain HTTP unless it is allowed, before running git', async () => {
    const deps = await fx.deps({});
    const error = await rejected(
      resolveRevision(request({ kind: 'branch', name: 'main' }), deps),
      'InvalidSource',
    );
    assert.match(error.message, /plain http:\/\/ is not allowed/);
    assert.deepEqual(deps.calls, []);
  });

  it('refuses an SSH source without known_hosts before running git', async () => {
    const deps = await fx.deps();
    const ssh: SourceRequest = {
      url: 'ssh://git@127.0.0.1:2222/app.git',
      ref: { kind: 'branch', name: 'main' },
      credentials: hidden({
        identity: '-----BEGIN OPENSSH PRIVATE KEY-----\nkey\n-----END OPENSSH PRIVATE KEY-----\n',
      }),
    };
    const error = await rejected(resolveRevision(ssh, deps), 'InvalidSource');
    assert.match(error.message, /needs known_hosts/);
    assert.ok(!error.message.includes('PRIVATE KEY'));
    assert.deepEqual(deps.calls, []);
  });
});

describe('resolveRevision over HTTPS with a private CA', () => {
  let fx: GitFixture;
  let commit: string;

  before(async () => {
    fx = await startGitFixture({ tls: true });
    commit = await fx.commit('app', { 'a.txt': 'one\n' });
  });
  after(() => fx.close());

  it('trusts the server through ca.crt and refuses it without', async () => {
    const deps = await fx.deps({});
    const ref = { kind: 'branch', name: 'main' } as const;
    const url = fx.repoUrl('app');
    assert.match(url, /^https:/);
    const caCert = fx.caCert ?? assert.fail('no CA');
    const trusted = hidden({ username: fx.username, password: fx.password, caCert });
    assert.equal(await resolveRevision({ url, ref, credentials: trusted }, deps), commit);
    const untrusted = { url, ref, credentials: fx.credentials() };
    const error = await rejected(resolveRevision(untrusted, deps), 'AuthFailed');
    assert.match(error.message, /certificate/i);
  });

  it('keeps the CA file private while git runs and removes it after', async () => {
    const deps = await fx.deps({});
    const caCert = fx.caCert ?? assert.fail('no CA');
    const credentials = hidden({ username: fx.username, password: fx.password, caCert });
    await resolveRevision(
      { url: fx.repoUrl('app'), ref: { kind: 'branch', name: 'main' }, credentials },
      deps,
    );
    const caPath = deps.calls[0]?.env.GIT_CONFIG_VALUE_1 ?? '';
    assert.match(caPath, /\/auth-[0-9a-f]+\/ca\.crt$/);
    assert.deepEqual(deps.calls[0]?.fileModes, { [caPath]: '600', [dirname(caPath)]: '700' });
    assert.deepEqual(await readdir(deps.scratchDir), []);
  });
});
