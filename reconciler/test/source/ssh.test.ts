import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { hidden } from '@kustodian/shared/source/credentials';
import { SourceError, sourceFailureReasons } from '@kustodian/shared/source/failure';
import { resolveRevision } from '@kustodian/shared/source/remote';
import type { SourceRequest } from '@kustodian/shared/source/request';
import { createSourceStore } from '@kustodian/shared/source/store';
import {
  generateSshKey,
  type SshEvent,
  type SshGitServer,
  startSshGitServer,
} from '../../../test/env/ssh-git-server.ts';
import { type GitFixture, type RecordedCall, startGitFixture } from './git-fixture.ts';

/** The base64 lines of a private key: any one of them in a text means the key leaked. */
const keyLines = (pem: string) =>
  pem.split('\n').filter((line) => line !== '' && !line.startsWith('-----'));

/** Asserts that no line of `pem` appears in any of `texts`. */
function assertNoKey(pem: string, texts: Readonly<Record<string, string>>): void {
  for (const [where, text] of Object.entries(texts)) {
    for (const line of keyLines(pem)) assert.ok(!text.includes(line), `private key in ${where}`);
  }
}

/** The calls that talked to the server: those given a `GIT_SSH_COMMAND`. */
const sshCalls = (calls: readonly RecordedCall[]) =>
  calls.filter((call) => call.env.GIT_SSH_COMMAND !== undefined);

/** Asserts that `action` fails with an `AuthFailed` fetch error naming `url`; returns it. */
async function refused(action: Promise<unknown>, url: string): Promise<SourceError> {
  const error = await action.then(
    () => assert.fail('expected a SourceError'),
    (thrown: unknown) => thrown,
  );
  assert.ok(error instanceof SourceError, `not a SourceError: ${String(error)}`);
  assert.ok(sourceFailureReasons.includes(error.reason));
  assert.equal(error.reason, 'AuthFailed', error.message);
  assert.equal(error.step, 'fetch');
  assert.ok(error.message.startsWith(`fetch ${url}: `), error.message);
  return error;
}

describe('fetching over SSH', () => {
  /** The HTTP fixture lends its recording git runner, memory log and temp directory. */
  let fx: GitFixture;
  let server: SshGitServer;
  const client = generateSshKey();
  let first: string;
  let second: string;
  /** A `main` request for `app` with the client key and the server's pinned host key. */
  const request = (credentials: { identity?: string; knownHosts?: string } = {}) =>
    ({
      url: server.repoUrl('app'),
      ref: { kind: 'branch', name: 'main' },
      credentials: hidden({
        identity: client.private,
        knownHosts: server.knownHosts,
        ...credentials,
      }),
    }) satisfies SourceRequest;
  /** How the URL appears in messages: redacted, so `git@` becomes `***@`. */
  const shownUrl = () => `ssh://***@127.0.0.1:${server.port}/app.git`;
  /** What the server saw from `from` on. */
  const eventsSince = (from: number): readonly SshEvent[] => server.events().slice(from);

  before(async () => {
    fx = await startGitFixture();
    server = await startSshGitServer({ dir: join(fx.dir, 'ssh'), clientKeys: [client.public] });
    first = await server.commit('app', { 'a.txt': 'one\n' }, 'first');
    second = await server.commit('app', { 'a.txt': 'two\n', 'b/c.txt': 'c\n' }, 'second');
  });
  after(async () => {
    await server.close();
    await fx.close();
  });

  it('resolves a branch and fetches that exact revision over SSH with the pinned host key', async () => {
    const deps = await fx.deps({});
    const from = server.events().length;
    assert.equal(await resolveRevision(request(), deps), second);
    const store = await createSourceStore({
      ...deps,
      workDir: join(fx.dir, 'store'),
      maxBytes: 1e6,
    });
    const tip = await store.checkout(request(), second);
    assert.equal(tip.commit, second);
    assert.equal(tip.message, 'second\n');
    assert.equal(await readFile(join(tip.dir, 'a.txt'), 'utf8'), 'two\n');
    assert.equal(await readFile(join(tip.dir, 'b/c.txt'), 'utf8'), 'c\n');
    const older = await store.checkout(request(), first);
    assert.equal(older.revision, `main@sha1:${first}`);
    assert.equal(await readFile(join(older.dir, 'a.txt'), 'utf8'), 'one\n');
    assert.deepEqual((await readdir(older.dir)).sort(), ['a.txt']);

    const served = eventsSince(from).filter((event) => event.kind === 'exec');
    assert.deepEqual(
      served.map((event) => [event.command, event.served]),
      Array(3).fill(["git-upload-pack '/app.git'", true]),
    );
    const network = sshCalls(deps.calls);
    assert.deepEqual(
      network.map((call) => call.args.find((arg) => arg === 'ls-remote' || arg === 'fetch')),
      ['ls-remote', 'fetch', 'fetch'],
    );
    for (const call of network) {
      const command = call.env.GIT_SSH_COMMAND ?? '';
      const identity = /-i '([^']+)'/.exec(command)?.[1] ?? assert.fail(command);
      const knownHosts = /UserKnownHostsFile='([^']+)'/.exec(command)?.[1] ?? assert.fail(command);
      assert.deepEqual(call.fileModes, {
        [identity]: '600',
        [knownHosts]: '600',
        [dirname(identity)]: '700',
      });
    }
    assertNoKey(client.private, { argv: JSON.stringify(deps.calls.map((call) => call.args)) });
    assert.deepEqual(await readdir(deps.scratchDir), []);
  });

  it('refuses a server whose host key is not the pinned one', async () => {
    const deps = await fx.deps({});
    const impostor = `[127.0.0.1]:${server.port} ${generateSshKey().public}\n`;
    const pinnedElsewhere = request({ knownHosts: impostor });
    const from = server.events().length;
    const store = await createSourceStore({
      ...deps,
      workDir: join(fx.dir, 'store-host'),
      maxBytes: 1e6,
    });
    const errors = [
      await refused(resolveRevision(pinnedElsewhere, deps), shownUrl()),
      await refused(store.checkout(pinnedElsewhere, second), shownUrl()),
    ];
    for (const error of errors) {
      assert.match(error.message, /the host's SSH key is not in known_hosts/);
      assert.match(error.message, /Host key verification failed/);
    }
    // The client hung up before offering its key: nothing was authenticated or run.
    assert.deepEqual(eventsSince(from), []);
    assert.equal(sshCalls(deps.calls).length, 2);
    assertNoKey(client.private, {
      messages: errors.map((error) => error.message).join('\n'),
      logs: JSON.stringify(deps.sink.lines),
      argv: JSON.stringify(deps.calls.map((call) => call.args)),
    });
    assert.match(JSON.stringify(deps.sink.lines), /source check failed.*checkout failed/s);
  });

  it('refuses when the server rejects the client key', async () => {
    const deps = await fx.deps({});
    const stranger = generateSshKey();
    const unknownKey = request({ identity: stranger.private });
    const from = server.events().length;
    const store = await createSourceStore({
      ...deps,
      workDir: join(fx.dir, 'store-key'),
      maxBytes: 1e6,
    });
    const errors = [
      await refused(resolveRevision(unknownKey, deps), shownUrl()),
      await refused(store.checkout(unknownKey, second), shownUrl()),
    ];
    for (const error of errors) {
      assert.match(error.message, /the server refused the credentials/);
      assert.match(error.message, /Permission denied \(publickey\)/);
    }
    const seen = eventsSince(from);
    assert.ok(seen.some((event) => event.kind === 'auth' && event.method === 'publickey'));
    assert.deepEqual(
      seen.filter((event) => event.kind === 'exec' || event.accepted),
      [],
      'a stranger is neither let in nor served',
    );
    assertNoKey(stranger.private, {
      messages: errors.map((error) => error.message).join('\n'),
      logs: JSON.stringify(deps.sink.lines),
      argv: JSON.stringify(deps.calls.map((call) => call.args)),
    });
    assert.match(JSON.stringify(deps.sink.lines), /source check failed.*checkout failed/s);
  });
});
