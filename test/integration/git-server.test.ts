import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { localEnv } from '../env/for-tests.ts';
import { startGitServer } from '../env/git-server.ts';
import { createAuthority } from '../env/pki.ts';

const run = promisify(execFile);
const env = localEnv();
const scratch = await mkdtemp(join(tmpdir(), 'kustodian-git-test-'));
after(() => rm(scratch, { recursive: true, force: true }));

/** Runs git with no prompts and no user config; `auth` adds a Basic header through env config. */
async function git(
  args: string[],
  options: { cwd?: string; auth?: string; extra?: Record<string, string> } = {},
) {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: scratch,
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Test',
    GIT_AUTHOR_EMAIL: 'test@example.invalid',
    GIT_COMMITTER_NAME: 'Test',
    GIT_COMMITTER_EMAIL: 'test@example.invalid',
    ...options.extra,
  };
  if (options.auth) {
    env.GIT_CONFIG_COUNT = '1';
    env.GIT_CONFIG_KEY_0 = 'http.extraHeader';
    env.GIT_CONFIG_VALUE_0 = `Authorization: Basic ${Buffer.from(options.auth).toString('base64')}`;
  }
  return run('git', args, { cwd: options.cwd ?? scratch, env });
}

async function commitOneFile(name: string, content: string): Promise<{ dir: string; sha: string }> {
  const dir = await mkdtemp(join(scratch, 'work-'));
  await git(['init', '--quiet', '--initial-branch=main'], { cwd: dir });
  await writeFile(join(dir, name), content);
  await git(['add', name], { cwd: dir });
  await git(['commit', '--quiet', '-m', 'first'], { cwd: dir });
  const { stdout } = await git(['rev-parse', 'HEAD'], { cwd: dir });
  return { dir, sha: stdout.trim() };
}

describe('the local git server', () => {
  test('creates a repository on first push and serves it back to a clone with credentials', async () => {
    const { gitUrl, gitUsername, gitPassword } = env();
    const auth = `${gitUsername}:${gitPassword}`;
    const url = `${gitUrl}/team/created-on-push-${Date.now()}.git`;
    const { dir, sha } = await commitOneFile('app.yaml', 'kind: ConfigMap\n');
    await git(['push', '--quiet', url, 'main'], { cwd: dir, auth });
    const clone = join(scratch, 'clone');
    await git(['clone', '--quiet', url, clone], { auth });
    assert.equal((await git(['rev-parse', 'HEAD'], { cwd: clone })).stdout.trim(), sha);
    assert.equal(await readFile(join(clone, 'app.yaml'), 'utf8'), 'kind: ConfigMap\n');
  });

  test('refuses a fetch without credentials', async () => {
    const { gitUrl } = env();
    await assert.rejects(
      git(['ls-remote', `${gitUrl}/anything.git`]),
      /Authentication failed|could not read Username|401/,
    );
  });

  test('refuses a wrong password and a push without credentials creates nothing', async () => {
    const { gitUrl, gitUsername, gitPassword } = env();
    const url = `${gitUrl}/refused-${Date.now()}.git`;
    const { dir } = await commitOneFile('a.txt', 'a\n');
    const refused = /Authentication failed|could not read Username|401/;
    await assert.rejects(
      git(['push', url, 'main'], { cwd: dir, auth: `${gitUsername}:wrong` }),
      refused,
    );
    await assert.rejects(git(['push', url, 'main'], { cwd: dir }), refused);
    await assert.rejects(
      git(['ls-remote', url], { auth: `${gitUsername}:${gitPassword}` }),
      /not found|404/i,
    );
  });

  test('answers 404 for a repository that does not exist instead of creating it on fetch', async () => {
    const { gitUrl, gitUsername, gitPassword } = env();
    await assert.rejects(
      git(['ls-remote', `${gitUrl}/missing-${Date.now()}.git`], {
        auth: `${gitUsername}:${gitPassword}`,
      }),
      /not found|404/i,
    );
  });

  test('serves HTTPS with a test CA that clients must trust', async () => {
    const pki = await mkdtemp(join(scratch, 'pki-'));
    const ca = await createAuthority(pki, 'git-ca');
    const files = await ca.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
    const server = await startGitServer({
      root: join(scratch, 'tls-repos'),
      username: 'u',
      password: 'p',
      tls: { cert: await readFile(files.cert, 'utf8'), key: await readFile(files.key, 'utf8') },
    });
    try {
      const { dir, sha } = await commitOneFile('b.txt', 'b\n');
      const url = `${server.url}/tls.git`;
      await assert.rejects(
        git(['push', url, 'main'], { cwd: dir, auth: 'u:p' }),
        /certificate|SSL/i,
      );
      await git(['push', '--quiet', url, 'main'], {
        cwd: dir,
        auth: 'u:p',
        extra: { GIT_SSL_CAINFO: ca.cert },
      });
      const { stdout } = await git(['ls-remote', url, 'main'], {
        auth: 'u:p',
        extra: { GIT_SSL_CAINFO: ca.cert },
      });
      assert.equal(stdout.split('\t')[0], sha);
      assert.ok(
        server
          .requests()
          .some((r) => r.service === 'git-receive-pack' && r.phase === 'rpc' && r.status === 200),
      );
    } finally {
      await server.stop();
    }
  });

  test('answers 503 while made unavailable', async () => {
    const server = await startGitServer({
      root: join(scratch, 'outage'),
      username: 'u',
      password: 'p',
    });
    try {
      server.setMode('unavailable');
      await assert.rejects(git(['ls-remote', `${server.url}/x.git`], { auth: 'u:p' }), /503/);
    } finally {
      await server.stop();
    }
  });
});
