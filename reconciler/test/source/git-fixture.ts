/**
 * A real git server for source tests: `startGitServer` in-process on a temp root, repositories
 * created by pushing from temp working repositories over HTTP(S) with header credentials, and a
 * `GitRunner` built on the real process runner that records every command it runs.
 */
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execaRunner, type RunCommand } from '@kustodian/shared/exec';
import { type GitCredentials, hidden } from '@kustodian/shared/source/credentials';
import { createGitHome, createGitRunner, type GitRunner } from '@kustodian/shared/source/git';
import type { SourceDeps } from '@kustodian/shared/source/request';
import type { UrlPolicy } from '@kustodian/shared/source/url';
import { type GitServer, startGitServer } from '../../../test/env/git-server.ts';
import { createAuthority } from '../../../test/env/pki.ts';
import { createLogger, createRedactor, type MemorySink, memorySink } from '../../src/log.ts';

/** One command a recording runner saw. */
export interface RecordedCall {
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Modes (octal text) of the credential files named in the environment, while git ran. */
  readonly fileModes: Readonly<Record<string, string>>;
}

/** A running server with helpers to fill it. */
export interface GitFixture {
  readonly server: GitServer;
  readonly dir: string;
  readonly username: string;
  readonly password: string;
  /** The CA certificate (PEM) the server's certificate chains to, when TLS is on. */
  readonly caCert: string | undefined;
  /** `<server>/<name>.git`. */
  repoUrl(name: string): string;
  /** Credentials the server accepts. */
  credentials(): GitCredentials;
  /** Commits `files` to the working copy of `repo` on `main` and pushes; returns the commit. */
  commit(repo: string, files: Readonly<Record<string, string>>, message?: string): Promise<string>;
  /** Runs git in the working copy of `repo` (created when missing) and returns stdout. */
  git(repo: string, args: readonly string[]): Promise<string>;
  /** Pushes `refs` of the working copy of `repo`. */
  push(repo: string, refs: readonly string[]): Promise<void>;
  /** Source dependencies over the real runner, with every command recorded and a memory log. */
  deps(
    policy?: UrlPolicy,
    timeoutMs?: number,
  ): Promise<SourceDeps & { calls: RecordedCall[]; sink: MemorySink }>;
  close(): Promise<void>;
}

/** Starts a server on a fresh temp directory; `tls` serves HTTPS with a certificate from a fresh CA. */
export async function startGitFixture(options: { tls?: boolean } = {}): Promise<GitFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-source-'));
  const username = 'reconciler';
  const password = `pw-${Math.random().toString(36).slice(2)}-${Date.now()}`;
  let tls: { cert: string; key: string } | undefined;
  let caPath: string | undefined;
  if (options.tls === true) {
    await mkdir(join(dir, 'pki'));
    const authority = await createAuthority(join(dir, 'pki'), 'git-ca');
    const leaf = await authority.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
    tls = { cert: await readFile(leaf.cert, 'utf8'), key: await readFile(leaf.key, 'utf8') };
    caPath = authority.cert;
  }
  const server = await startGitServer({
    root: join(dir, 'server'),
    username,
    password,
    ...(tls === undefined ? {} : { tls }),
  });
  const header = `Authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
  const workOf = (repo: string) => join(dir, 'work', repo);
  const gitIn = async (cwd: string, args: readonly string[]): Promise<string> => {
    const result = await execaRunner(
      'git',
      ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', ...args],
      {
        cwd,
        env: { HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
      },
    );
    if (result.exitCode !== 0) throw new Error(`git ${args.join(' ')} failed: ${result.stderr}`);
    return result.stdout;
  };
  const git = async (repo: string, args: readonly string[]) => {
    await mkdir(workOf(repo), { recursive: true });
    await gitIn(workOf(repo), ['init', '--quiet', '--initial-branch=main']);
    return gitIn(workOf(repo), args);
  };
  const push = async (repo: string, refs: readonly string[]) => {
    const auth = [
      '-c',
      `http.extraHeader=${header}`,
      ...(caPath ? ['-c', `http.sslCAInfo=${caPath}`] : []),
    ];
    await git(repo, [...auth, 'push', '--quiet', '--force', `${server.url}/${repo}.git`, ...refs]);
  };
  return {
    server,
    dir,
    username,
    password,
    caCert: caPath === undefined ? undefined : await readFile(caPath, 'utf8'),
    repoUrl: (name) => `${server.url}/${name}.git`,
    credentials: () => hidden({ username, password }),
    git,
    push,
    commit: async (repo, files, message = 'change') => {
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(workOf(repo), path)), { recursive: true });
        await writeFile(join(workOf(repo), path), content);
      }
      await git(repo, ['add', '--all']);
      await git(repo, ['commit', '--quiet', '--allow-empty', '-m', message]);
      await push(repo, ['main']);
      return (await git(repo, ['rev-parse', 'HEAD'])).trim();
    },
    deps: async (policy = { allowHttp: true }, timeoutMs = 30_000) => {
      const calls: RecordedCall[] = [];
      const recording: RunCommand = (file, args, runOptions) => {
        const env = { ...runOptions?.env };
        return modesOf(env).then((fileModes) => {
          calls.push({ args: [...args], env, fileModes });
          return execaRunner(file, args, runOptions);
        });
      };
      const homeDir = await createGitHome(dir);
      const runner: GitRunner = createGitRunner({
        runCommand: recording,
        homeDir,
        policy,
        timeoutMs,
      });
      const sink = memorySink();
      // An empty redactor: what reaches the sink must already be clean.
      const log = createLogger({ level: 'debug', sink, redactor: createRedactor() });
      return { git: runner, scratchDir: join(dir, 'scratch'), log, calls, sink };
    },
    close: async () => {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The modes of the files (and their directories) that an environment's values name. */
async function modesOf(env: Readonly<Record<string, string>>): Promise<Record<string, string>> {
  const modes: Record<string, string> = {};
  const paths = Object.values(env).flatMap(
    (value) => value.match(/\/[^\s']*\/auth-[^\s']*/g) ?? [],
  );
  for (const path of paths) {
    for (const named of [path, dirname(path)]) {
      const info = await stat(named).catch(() => undefined);
      if (info !== undefined) modes[named] = (info.mode & 0o777).toString(8);
    }
  }
  return modes;
}
