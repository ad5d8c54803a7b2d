/**
 * The fetch limits of builds that name allowed remotes: the environment kustomize and its git
 * get, the messages, and the private directory whose size stops a build, with the real
 * kustomize fetching a remote (a `file://` repository) and real processes for the limits that
 * need a server.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { createExecaRunner, execaRunner } from '../../src/exec.ts';
import { buildOverlay, KustomizeBuildError } from '../../src/kustomize/build.ts';
import { directoryBytes, openFetchScratch } from '../../src/kustomize/fetch-scratch.ts';
import { type KustomizeCommand, kustomizeCommandFor } from '../../src/kustomize/locate.ts';
import {
  defaultRemoteFetchLimits,
  fetchLimitMessage,
  lowSpeedTripped,
  remoteFetchEnv,
  scrubFetchOutput,
} from '../../src/kustomize/remote-fetch.ts';
import { configMap, kustomizeBinary, type TempTree, tempTree } from './tree.ts';

const run = promisify(execFile);
const limits = { timeoutMs: 120_000, maxOutputBytes: 16 * 1024 * 1024 };
const remote = 'https://git.example.com/acme/shared.git//base';

/** A stand-in for kustomize: `sh -c script`, given the overlay directory as `$1`. */
function shell(script: string): KustomizeCommand {
  return { file: 'sh', argsPrefix: ['-c', script, 'kustomize'], tool: 'kustomize' };
}

async function buildFailure(promise: Promise<unknown>): Promise<KustomizeBuildError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(thrown instanceof KustomizeBuildError, `a build error, got ${String(thrown)}`);
  return thrown;
}

describe('the remote fetch limits', () => {
  it('default to 60 s per build, 1,000 bytes/s over 10 s, and 100 MiB', () => {
    assert.deepEqual(defaultRemoteFetchLimits, {
      timeoutMs: 60_000,
      lowSpeedBytesPerSecond: 1_000,
      lowSpeedSeconds: 10,
      maxBytes: 100 * 1024 * 1024,
    });
  });

  it('give kustomize the network variables, its private directory and git’s low-speed abort', () => {
    const env = remoteFetchEnv(defaultRemoteFetchLimits, '/private', {
      HTTPS_PROXY: 'http://proxy:3128',
    });
    assert.deepEqual(env, {
      HTTPS_PROXY: 'http://proxy:3128',
      TMPDIR: '/private',
      XDG_CACHE_HOME: '/private',
      GIT_HTTP_LOW_SPEED_LIMIT: '1000',
      GIT_HTTP_LOW_SPEED_TIME: '10',
      GIT_TERMINAL_PROMPT: '0',
      GCM_INTERACTIVE: 'never',
    });
  });

  it('name the limit that stopped a fetch and the remotes', () => {
    const two = [remote, 'https://other.example.com/x'];
    assert.equal(
      fetchLimitMessage('time', [remote], defaultRemoteFetchLimits),
      `kustomize was stopped fetching remote ${remote}: the build did not finish within 60 s (the remote fetch time limit)`,
    );
    assert.equal(
      fetchLimitMessage('low-speed', two, defaultRemoteFetchLimits),
      `git aborted fetching remotes ${two.join(', ')}: less than 1000 bytes/s arrived for 10 s (the remote fetch low-speed limit)`,
    );
    assert.equal(
      fetchLimitMessage('size', [remote], defaultRemoteFetchLimits),
      `kustomize was stopped fetching remote ${remote}: it wrote more than 100 MiB (the remote fetch size limit)`,
    );
  });

  it('recognise git’s low-speed abort in its output', () => {
    const git =
      "fatal: unable to access 'https://h/x.git/': Operation too slow. Less than 1000 bytes/sec transferred the last 10 seconds";
    assert.equal(lowSpeedTripped(git), true);
    assert.equal(lowSpeedTripped('error: RPC failed; curl 28 Operation timed out'), true);
    assert.equal(lowSpeedTripped("fatal: repository 'https://h/x.git/' not found"), false);
  });

  it('scrub URL credentials and the private directory from kustomize’s output', () => {
    const text =
      "failed to run 'git fetch https://x-access-token:s3cr3t-token@h/x.git main': " +
      "evalsymlink failure on '/tmp/kustomize-fetch-ab12/kustomize-3141/base' in /tmp/kustomize-fetch-ab12";
    assert.equal(
      scrubFetchOutput(text, ['/tmp/kustomize-fetch-ab12']),
      "failed to run 'git fetch https://***@h/x.git main': " +
        "evalsymlink failure on '<remote checkout>/base' in <fetch directory>",
    );
  });
});

describe('the private directory of a build that fetches', () => {
  let tree: TempTree;
  before(async () => {
    tree = await tempTree();
  });
  after(() => tree.cleanup());

  it('aborts its signal once more than the limit is written into it, and is removed on close', async () => {
    const scratch = await openFetchScratch(tree.root, 1024 * 1024, 10);
    assert.equal(scratch.signal.aborted, false);
    await mkdir(join(scratch.dir, 'kustomize-1/base'), { recursive: true });
    await writeFile(join(scratch.dir, 'kustomize-1/base/blob'), Buffer.alloc(1024 * 1024 + 1));
    await new Promise((resolve) => scratch.signal.addEventListener('abort', resolve));
    assert.equal(scratch.exceeded(), true);
    assert.equal(await directoryBytes(scratch.dir), 1024 * 1024 + 1);
    await scratch.close();
    assert.deepEqual(await readdir(tree.root), []);
  });
});

describe('buildOverlay with allowed remotes', () => {
  let tree: TempTree;
  let kustomize: KustomizeCommand;
  let remoteRepo = '';
  const scratchParent = () => join(tree.root, 'scratch');

  before(async () => {
    kustomize = kustomizeCommandFor(await kustomizeBinary());
    tree = await tempTree({
      'overlay/kustomization.yaml': 'resources: []\n',
      'shared/base/kustomization.yaml': 'resources:\n  - config.yaml\n',
      'shared/base/config.yaml': configMap('shared'),
      'scratch/.keep': '',
    });
    // A remote whose checkout is larger than the default size limit (zeros pack small).
    const repo = join(tree.root, 'shared');
    await writeFile(
      join(repo, 'base/blob.bin'),
      Buffer.alloc(defaultRemoteFetchLimits.maxBytes + 1),
    );
    const git = (args: string[]) => run('git', args, { cwd: repo });
    await git(['init', '-q', '-b', 'main']);
    await git(['add', '-A']);
    await git(['-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '-qm', 'base']);
    remoteRepo = `file://${repo}//base?ref=main`;
  });
  after(() => tree.cleanup());

  it('runs kustomize with the fetch environment and nothing else of the parent', async () => {
    const runCommand = createExecaRunner({
      baseEnv: () => ({ PATH: process.env.PATH, HOME: tree.root, AWS_SECRET_ACCESS_KEY: 'x' }),
    });
    const built = await buildOverlay({
      kustomize: shell('env | sort'),
      overlayDir: 'overlay',
      root: tree.root,
      runCommand,
      ...limits,
      remoteFetch: {
        remotes: [remote],
        networkEnv: { GIT_SSL_CAINFO: '/etc/ca.pem' },
        scratchDir: scratchParent(),
      },
    });
    const env = Object.fromEntries(
      built.yaml
        .trim()
        .split('\n')
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
    assert.equal(env.GIT_SSL_CAINFO, '/etc/ca.pem');
    assert.equal(env.GIT_HTTP_LOW_SPEED_LIMIT, '1000');
    assert.equal(env.GIT_HTTP_LOW_SPEED_TIME, '10');
    assert.match(env.TMPDIR ?? '', /\/scratch\/kustomize-fetch-[^/]+$/);
    assert.equal(env.XDG_CACHE_HOME, env.TMPDIR);
    assert.equal(env.AWS_SECRET_ACCESS_KEY, undefined);
    assert.deepEqual(await readdir(scratchParent()), ['.keep'], 'the private directory is gone');
  });

  it('gives a build without remotes no private directory', async () => {
    const built = await buildOverlay({
      kustomize: shell('test -n "$TMPDIR" && echo set || echo none'),
      overlayDir: 'overlay',
      root: tree.root,
      runCommand: execaRunner,
      ...limits,
      remoteFetch: { remotes: [], scratchDir: scratchParent() },
    });
    assert.equal(built.yaml.trim(), 'none');
  });

  it('stops kustomize once its checkout of a remote passes the default 100 MiB', async () => {
    const overlay = join(tree.root, 'big');
    await mkdir(overlay);
    await writeFile(join(overlay, 'kustomization.yaml'), `resources:\n  - ${remoteRepo}\n`);
    const error = await buildFailure(
      buildOverlay({
        kustomize,
        overlayDir: 'big',
        root: tree.root,
        runCommand: execaRunner,
        ...limits,
        remoteFetch: { remotes: ['file:///shared//base'], scratchDir: scratchParent() },
      }),
    );
    assert.equal(error.reason, 'remote-size-limit');
    assert.equal(
      error.message,
      'build big: kustomize was stopped fetching remote file:///shared//base: it wrote more than 100 MiB (the remote fetch size limit)',
    );
    assert.deepEqual(await readdir(scratchParent()), ['.keep'], 'the private directory is gone');
  });

  it('stops a build that fetches when the fetch time limit passes, naming the remote', async () => {
    const error = await buildFailure(
      buildOverlay({
        kustomize: shell('sleep 30'),
        overlayDir: 'overlay',
        root: tree.root,
        runCommand: execaRunner,
        ...limits,
        remoteFetch: {
          remotes: [remote],
          limits: { ...defaultRemoteFetchLimits, timeoutMs: 200 },
          scratchDir: scratchParent(),
        },
      }),
    );
    assert.equal(error.reason, 'remote-time-limit');
    assert.match(
      error.message,
      /stopped fetching remote https:\/\/git\.example\.com\/acme\/shared\.git\/\/base: the build did not finish within 200 ms \(the remote fetch time limit\)$/,
    );
  });

  it('reports git’s low-speed abort as the limit, without the URL’s credentials', async () => {
    const said =
      "fatal: unable to access 'https://x-access-token:s3cr3t-token@git.example.com/acme/shared.git/': Operation too slow. Less than 1000 bytes/sec transferred the last 10 seconds";
    const error = await buildFailure(
      buildOverlay({
        kustomize: shell(`echo "Error: $TMPDIR/kustomize-1: ${said}" >&2; exit 1`),
        overlayDir: 'overlay',
        root: tree.root,
        runCommand: execaRunner,
        ...limits,
        remoteFetch: { remotes: [remote], scratchDir: scratchParent() },
      }),
    );
    assert.equal(error.reason, 'remote-low-speed');
    assert.ok(
      error.message.startsWith(
        `build overlay: git aborted fetching remote ${remote}: less than 1000 bytes/s arrived for 10 s (the remote fetch low-speed limit): Error: <remote checkout>: fatal: unable to access 'https://***@git.example.com/`,
      ),
      error.message,
    );
    assert.ok(!error.message.includes('s3cr3t-token'));
    assert.ok(!error.message.includes(tree.root), 'no temporary path');
  });
});
