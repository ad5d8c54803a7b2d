/**
 * A real git server on loopback: smart HTTP through `git http-backend` (CGI), with Basic or
 * token authentication, optional TLS, and forge-like creation of a repository on first push.
 *
 * Repositories live under `root` as bare repositories `<path>.git`. Every request is recorded so
 * that tests can count fetches, and the server can be made unavailable to test outages.
 */
import { execFile, spawn } from 'node:child_process';
import { timingSafeEqual } from 'node:crypto';
import { access, mkdir } from 'node:fs/promises';
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** One request the server answered. */
export interface GitRequest {
  readonly repo: string;
  /** `git-upload-pack` (fetch/clone) or `git-receive-pack` (push). */
  readonly service: string;
  /** `advertise` for `info/refs`, `rpc` for the POST that moves objects. */
  readonly phase: 'advertise' | 'rpc';
  readonly user: string | undefined;
  /**
   * The secret the request presented (the Basic password or the Bearer token), accepted or not,
   * so tests can tell which credential reached the server.
   */
  readonly credential: string | undefined;
  readonly status: number;
}

/** Whether the server answers normally or with 503 (an outage). */
export const gitServerModes = ['serving', 'unavailable'] as const;
export type GitServerMode = (typeof gitServerModes)[number];

/** Options of the git server. */
export interface GitServerOptions {
  /** Directory of the bare repositories. */
  readonly root: string;
  readonly username: string;
  readonly password: string;
  /** PEM certificate and key for HTTPS; plain HTTP without. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** Let fetches through without credentials, as a public repository on a forge; pushes still need them. */
  readonly anonymousRead?: boolean;
}

/** A running git server. */
export interface GitServer {
  /** `http(s)://127.0.0.1:<port>`; repositories are at `<url>/<name>.git`. */
  readonly url: string;
  readonly root: string;
  requests(): readonly GitRequest[];
  clearRequests(): void;
  setMode(mode: GitServerMode): void;
  stop(): Promise<void>;
}

const repoPath = /^\/((?:[A-Za-z0-9_][A-Za-z0-9._-]*\/)*[A-Za-z0-9_][A-Za-z0-9._-]*\.git)(\/.*)$/;

/** Starts the server on a free loopback port. */
export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  await mkdir(options.root, { recursive: true });
  const log: GitRequest[] = [];
  let mode: GitServerMode = 'serving';
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, options, mode, log).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`internal error: ${error instanceof Error ? error.message : String(error)}\n`);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('git server: no address');
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${address.port}`;
  return {
    url,
    root: options.root,
    requests: () => [...log],
    clearRequests: () => {
      log.length = 0;
    },
    setMode: (next) => {
      mode = next;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  options: GitServerOptions,
  mode: GitServerMode,
  log: GitRequest[],
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://git.invalid');
  const match = repoPath.exec(decodeURIComponent(url.pathname));
  const service = url.searchParams.get('service') ?? url.pathname.split('/').pop() ?? '';
  const phase = req.method === 'POST' ? 'rpc' : 'advertise';
  const credential = presented(req.headers.authorization);
  const record = (status: number, user?: string) => {
    if (match) log.push({ repo: match[1] ?? '', service, phase, user, credential, status });
  };
  if (mode === 'unavailable') {
    record(503);
    res.writeHead(503, { 'content-type': 'text/plain' }).end('service unavailable\n');
    return;
  }
  const anonymous = options.anonymousRead === true && service === 'git-upload-pack';
  const user =
    authenticate(req.headers.authorization, options) ?? (anonymous ? 'anonymous' : undefined);
  if (user === undefined) {
    record(401);
    res.writeHead(401, {
      'www-authenticate': 'Basic realm="kustodian-git"',
      'content-type': 'text/plain',
    });
    res.end('authentication required\n');
    return;
  }
  if (!match || !['git-upload-pack', 'git-receive-pack'].includes(service)) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    return;
  }
  const repo = match[1] ?? '';
  const repoDir = join(options.root, repo);
  if (!(await exists(repoDir))) {
    if (service !== 'git-receive-pack') {
      record(404, user);
      res.writeHead(404, { 'content-type': 'text/plain' }).end('repository not found\n');
      return;
    }
    // A push to a repository that does not exist creates it, as a forge would.
    await run('git', ['init', '--quiet', '--bare', '--initial-branch=main', repoDir]);
  }
  const status = await runBackend(req, res, {
    root: options.root,
    pathInfo: `/${repo}${match[2] ?? ''}`,
    query: url.search.slice(1),
    user,
  });
  record(status, user);
}

/** The password of a Basic header or the token of a Bearer one, valid or not. */
function presented(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') return value;
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return decoded.includes(':') ? decoded.slice(decoded.indexOf(':') + 1) : undefined;
}

/** The user name of valid credentials, or undefined. Basic and Bearer are accepted. */
function authenticate(header: string | undefined, options: GitServerOptions): string | undefined {
  if (!header) return undefined;
  const [scheme, value = ''] = header.split(' ', 2);
  if (scheme?.toLowerCase() === 'bearer') {
    return same(value, options.password) ? options.username : undefined;
  }
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  const user = decoded.slice(0, colon);
  const password = decoded.slice(colon + 1);
  // The password doubles as a token, accepted with any user name (like `x-access-token`).
  return same(password, options.password) ? user || options.username : undefined;
}

function same(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Runs `git http-backend` for one request and relays its CGI answer; resolves to the status. */
function runBackend(
  req: IncomingMessage,
  res: ServerResponse,
  cgi: { root: string; pathInfo: string; query: string; user: string },
): Promise<number> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    GIT_PROJECT_ROOT: cgi.root,
    GIT_HTTP_EXPORT_ALL: '1',
    GIT_CONFIG_NOSYSTEM: '1',
    HOME: cgi.root,
    PATH_INFO: cgi.pathInfo,
    QUERY_STRING: cgi.query,
    REQUEST_METHOD: req.method ?? 'GET',
    REMOTE_USER: cgi.user,
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    // Let clients fetch an exact commit, as the big forges do.
    GIT_CONFIG_COUNT: '2',
    GIT_CONFIG_KEY_0: 'uploadpack.allowAnySHA1InWant',
    GIT_CONFIG_VALUE_0: 'true',
    GIT_CONFIG_KEY_1: 'http.receivepack',
    GIT_CONFIG_VALUE_1: 'true',
  };
  if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];
  const protocol = req.headers['git-protocol'];
  if (typeof protocol === 'string') env.GIT_PROTOCOL = protocol;

  return new Promise((resolve, reject) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let status = 200;
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split('\r\n')) {
        const colon = line.indexOf(':');
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        if (name === 'status') status = Number.parseInt(value, 10);
        else if (name) headers[name] = value;
      }
      res.writeHead(status, headers);
      res.write(head.subarray(end + 4));
    });
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => {
      if (!headersDone) res.writeHead(502).end('git http-backend gave no answer\n');
      else res.end();
      resolve(status);
    });
  });
}
