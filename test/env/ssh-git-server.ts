/**
 * A real git server over SSH on loopback, for tests of the SSH transport: `ssh2` speaks the
 * protocol, the real `git upload-pack` serves the fetch.
 *
 * It proves who it is with an ed25519 host key made at start (pin it with `knownHosts`) and lets
 * in only the user `git` holding one of the client keys it was given: the key is compared in
 * constant time and its signature verified, as ssh2's server example does. It runs exactly one
 * command, `git-upload-pack '<path>'`, on a bare repository under `<dir>/repos`, with argv and
 * never a shell; pushes, other commands, shells, subsystems, forwarding and paths that leave the
 * root are refused. Repositories are filled by committing in a working copy under `<dir>/work`
 * and pushing to the bare repository on disk. Authentications and commands are recorded, so a
 * test can tell a refused key from a refused host.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { dirname, join, posix, relative } from 'node:path';
import type { Writable } from 'node:stream';
import { promisify } from 'node:util';
import ssh2, { type Connection, type ParsedKey, type ServerChannel } from 'ssh2';

const run = promisify(execFile);

/** An OpenSSH key pair: `private` in OpenSSH PEM, `public` as `ssh-ed25519 AAAA...`. */
export interface SshKeyPair {
  readonly private: string;
  readonly public: string;
}

/** Makes a fresh, unencrypted ed25519 key pair. */
export function generateSshKey(): SshKeyPair {
  const pair = ssh2.utils.generateKeyPairSync('ed25519');
  return { private: pair.private, public: pair.public.split(' ').slice(0, 2).join(' ') };
}

/** One thing a client asked for, and whether the server agreed. */
export type SshEvent =
  | {
      readonly kind: 'auth';
      readonly user: string;
      readonly method: string;
      readonly accepted: boolean;
    }
  | { readonly kind: 'exec'; readonly command: string; readonly served: boolean };

/** Options of the SSH git server. */
export interface SshGitServerOptions {
  /** A directory the server owns: bare repositories in `repos/`, working copies in `work/`. */
  readonly dir: string;
  /** Public keys (`ssh-ed25519 AAAA...`) the user `git` may log in with. */
  readonly clientKeys: readonly string[];
}

/** A running SSH git server. */
export interface SshGitServer {
  readonly port: number;
  /** Directory of the bare repositories `<name>.git`. */
  readonly root: string;
  /** The `known_hosts` line that pins the server: `[127.0.0.1]:<port> ssh-ed25519 AAAA...`. */
  readonly knownHosts: string;
  /** `ssh://git@127.0.0.1:<port>/<name>.git`. */
  repoUrl(name: string): string;
  /** Commits `files` on `main` of `repo` (created when missing) and returns the commit. */
  commit(repo: string, files: Readonly<Record<string, string>>, message?: string): Promise<string>;
  /** What clients asked for, in order. */
  events(): readonly SshEvent[];
  close(): Promise<void>;
}

const user = 'git';
const uploadPack = /^git-upload-pack '([^'\0]+)'$/;

/** Starts the server on a free loopback port. */
export async function startSshGitServer(options: SshGitServerOptions): Promise<SshGitServer> {
  const root = join(options.dir, 'repos');
  await mkdir(root, { recursive: true });
  const allowed = options.clientKeys.map(parsed);
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519');
  const log: SshEvent[] = [];
  const connections = new Set<Connection>();
  const children = new Set<ChildProcess>();
  const server = new ssh2.Server({ hostKeys: [hostKey.private] }, (client) => {
    connections.add(client);
    client.on('close', () => connections.delete(client));
    // A client that hangs up mid-handshake (a refused host key) is not an error of the server.
    client.on('error', () => {});
    client.on('authentication', (ctx) => {
      const accepted =
        ctx.method === 'publickey' &&
        sameBytes(Buffer.from(ctx.username), Buffer.from(user)) &&
        allowed.some(
          (key) =>
            ctx.key.algo === key.type &&
            sameBytes(ctx.key.data, key.getPublicSSH()) &&
            (ctx.signature === undefined ||
              (ctx.blob !== undefined && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo))),
        );
      log.push({ kind: 'auth', user: ctx.username, method: ctx.method, accepted });
      // Only public keys may be tried; other methods are not offered again.
      if (accepted) ctx.accept();
      else ctx.reject(['publickey']);
    });
    // No listener for shells, subsystems, pty or forwarding: ssh2 refuses those requests.
    client.on('session', (acceptSession) => {
      const session = acceptSession();
      let protocol: string | undefined;
      session.on('env', (accept, reject, info) => {
        const ok = info.key === 'GIT_PROTOCOL' && /^version=\d$/.test(info.val);
        if (!ok) return reject?.();
        protocol = info.val;
        accept?.();
      });
      session.once('exec', (accept, _reject, info) => {
        const record = (served: boolean) =>
          log.push({ kind: 'exec', command: info.command, served });
        const channel = accept();
        serve(root, info.command, protocol, channel, children, record).catch(() => channel.close());
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('ssh git server: no address');
  const { port } = address;
  const hostPublic = hostKey.public.split(' ').slice(0, 2).join(' ');
  return {
    port,
    root,
    knownHosts: `[127.0.0.1]:${port} ${hostPublic}\n`,
    repoUrl: (name) => `ssh://${user}@127.0.0.1:${port}/${name}.git`,
    commit: (repo, files, message = 'change') => commitTo(options.dir, repo, files, message),
    events: () => [...log],
    close: () =>
      new Promise<void>((resolve) => {
        for (const child of children) child.kill('SIGKILL');
        for (const client of connections) client.end();
        server.close(() => resolve());
      }),
  };
}

/**
 * Runs `command` on `channel` if it is a fetch of a repository under `root`; otherwise tells the
 * client why not and exits 128. `record` hears the decision before anything runs.
 */
async function serve(
  root: string,
  command: string,
  protocol: string | undefined,
  channel: ServerChannel,
  children: Set<ChildProcess>,
  record: (served: boolean) => void,
): Promise<void> {
  const repoDir = await repositoryOf(root, command);
  record(repoDir !== undefined);
  if (repoDir === undefined) {
    channel.stderr.write(
      'refused: only git-upload-pack of a repository under the root is served\n',
    );
    await finish(channel, 128);
    return;
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: root,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    // Let clients fetch an exact commit, as the big forges do.
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant',
    GIT_CONFIG_VALUE_0: 'true',
    ...(protocol === undefined ? {} : { GIT_PROTOCOL: protocol }),
  };
  const child = spawn('git', ['upload-pack', '--strict', repoDir], { env, stdio: 'pipe' });
  children.add(child);
  channel.pipe(child.stdin);
  // upload-pack may exit before it has read all the client sent.
  child.stdin.on('error', () => {});
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  channel.on('close', () => child.kill('SIGKILL'));
  const status = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(128));
    child.on('close', (code) => resolve(code ?? 128));
  });
  children.delete(child);
  await finish(channel, status);
}

/** The bare repository a `git-upload-pack '<path>'` command names, if it lies inside `root`. */
async function repositoryOf(root: string, command: string): Promise<string | undefined> {
  const path = uploadPack.exec(command)?.[1];
  if (path === undefined) return undefined;
  const normal = posix.normalize(`/${path}`).slice(1);
  if (normal === '' || normal.startsWith('..')) return undefined;
  // Resolve links too, so that a link inside the root cannot point out of it.
  const [realRoot, real] = await Promise.all([
    realpath(root),
    realpath(join(root, normal)).catch(() => undefined),
  ]);
  if (real === undefined) return undefined;
  const inside = relative(realRoot, real);
  return inside === '' || inside.startsWith('..') || posix.isAbsolute(inside) ? undefined : real;
}

/**
 * Sends the exit status after everything written so far (ssh2 sends it at once, so it would
 * overtake data still waiting for the client's window), then closes the channel. Does nothing
 * once the client has closed it.
 */
async function finish(channel: ServerChannel, status: number): Promise<void> {
  const flushed = (stream: Writable) =>
    stream.writableEnded
      ? Promise.resolve()
      : new Promise<void>((resolve) => stream.write(Buffer.alloc(0), () => resolve()));
  if (channel.writableEnded) return;
  await Promise.all([flushed(channel), flushed(channel.stderr)]);
  if (channel.writableEnded) return;
  channel.exit(status);
  channel.end();
}

async function commitTo(
  dir: string,
  repo: string,
  files: Readonly<Record<string, string>>,
  message: string,
): Promise<string> {
  const bare = join(dir, 'repos', `${repo}.git`);
  const work = join(dir, 'work', repo);
  const git = async (cwd: string, args: readonly string[]) => {
    const identity = ['-c', 'user.name=Test', '-c', 'user.email=test@example.com'];
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, GIT_CONFIG_NOSYSTEM: '1' };
    return (await run('git', [...identity, ...args], { cwd, env })).stdout;
  };
  await mkdir(work, { recursive: true });
  await git(work, ['init', '--quiet', '--initial-branch=main']);
  await git(dir, ['init', '--quiet', '--bare', '--initial-branch=main', bare]);
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(work, ['add', '--all']);
  await git(work, ['commit', '--quiet', '--allow-empty', '-m', message]);
  await git(work, ['push', '--quiet', '--force', bare, 'main']);
  return (await git(work, ['rev-parse', 'HEAD'])).trim();
}

function parsed(publicKey: string): ParsedKey {
  const key = ssh2.utils.parseKey(publicKey);
  if (key instanceof Error)
    throw new Error(`ssh git server: client key: ${key.message}`, { cause: key });
  return key;
}

/** Equal bytes, compared in constant time (also when the lengths differ). */
function sameBytes(given: Buffer, expected: Buffer): boolean {
  const sameLength = given.length === expected.length;
  return timingSafeEqual(given, sameLength ? expected : given) && sameLength;
}
