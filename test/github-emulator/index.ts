/**
 * A GitHub API emulator on loopback for the action's `api` and `pull-request` modes: exactly the
 * REST and GraphQL calls the action makes (see `repo-routes.ts`, `pull-routes.ts`,
 * `graphql.ts`), with GitHub's status codes and error shapes, backed by real bare repositories
 * that a git smart-HTTP server (`test/env/git-server.ts`, same root) serves for clone and fetch.
 *
 * Tokens are a configured set: an unknown one gets 401 `Bad credentials`, a `read` one gets 403
 * (REST) or `FORBIDDEN` (GraphQL) on writes. The git server accepts the first `write` token as
 * the password of any user name (`x-access-token:<token>`, as on GitHub).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type GitServer, startGitServer } from '../env/git-server.ts';
import { graphql } from './graphql.ts';
import { pullRequestRoutes } from './pull-routes.ts';
import { repositoryRoutes } from './repo-routes.ts';
import { type CommitInfo, RepositoryStore } from './repositories.ts';
import {
  badCredentials,
  docs,
  type Reply,
  requiresAuthentication,
  restError,
} from './responses.ts';
import { dispatch, type RequestContext } from './routes.ts';
import {
  type EmulatorRequest,
  EmulatorState,
  type EmulatorToken,
  type PullRequestRecord,
} from './state.ts';

export type { EmulatorRequest, EmulatorToken, PullRequestRecord } from './state.ts';

/** Options of the emulator. */
export interface GitHubEmulatorOptions {
  /** Directory of the bare repositories (`<root>/<owner>/<name>.git`). */
  readonly root: string;
  /** Accepted tokens; the first `write` one is also the git server's password. */
  readonly tokens: readonly EmulatorToken[];
}

/** Files of a commit made directly in a repository, by path. */
export type Files = Readonly<Record<string, string>>;

/** A running emulator. */
export interface GitHubEmulator {
  /** What `GITHUB_API_URL` would be: `http://127.0.0.1:<port>`, GraphQL at `<apiUrl>/graphql`. */
  readonly apiUrl: string;
  /** What `GITHUB_SERVER_URL` would be: the git server; repositories at `<gitUrl>/<o>/<r>.git`. */
  readonly gitUrl: string;
  readonly git: GitServer;
  /** `<gitUrl>/<owner>/<name>.git`. */
  cloneUrl(fullName: string): string;
  /** Creates a repository whose default branch holds `files` in one commit; returns its sha. */
  createRepository(fullName: string, files: Files, defaultBranch?: string): Promise<string>;
  /**
   * Commits `files` on top of `branch` as a `git push` would (unsigned, no API call); returns
   * the new head. For tests that move a branch behind a client's back.
   */
  pushFiles(fullName: string, branch: string, files: Files, message?: string): Promise<string>;
  head(fullName: string, branch: string): Promise<string | undefined>;
  /** Every branch of the repository, sorted. */
  branches(fullName: string): Promise<string[]>;
  readFile(fullName: string, revision: string, path: string): Promise<string | undefined>;
  commit(fullName: string, sha: string): Promise<CommitInfo & { readonly verified: boolean }>;
  pullRequests(fullName: string): readonly PullRequestRecord[];
  requests(): readonly EmulatorRequest[];
  clearRequests(): void;
  stop(): Promise<void>;
}

/** Starts the emulator and its git server on free loopback ports. */
export async function startGitHubEmulator(options: GitHubEmulatorOptions): Promise<GitHubEmulator> {
  const writer = options.tokens.find((token) => token.access === 'write');
  if (!writer) throw new Error('github emulator: configure at least one write token');
  const git = await startGitServer({
    root: options.root,
    username: 'x-access-token',
    password: writer.token,
  });
  const store = new RepositoryStore(options.root);
  const state = new EmulatorState();
  const server = createServer((req, res) => {
    serve(req, res, { options, store, state, web: git.url, api: apiUrl }).catch((error) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: `emulator error: ${String(error)}` }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('github emulator: no address');
  const apiUrl = `http://127.0.0.1:${address.port}`;
  const direct = { name: 'Someone Else', email: 'someone@example.com' };
  return {
    apiUrl,
    gitUrl: git.url,
    git,
    cloneUrl: (fullName) => `${git.url}/${fullName}.git`,
    createRepository: async (fullName, files, defaultBranch = 'main') => {
      await store.init(fullName, defaultBranch);
      const additions = new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)]));
      const message = 'Initial commit';
      const sha = await store.writeCommit(fullName, {
        additions,
        deletions: [],
        message,
        author: direct,
        committer: direct,
      });
      await store.compareAndSwap(fullName, defaultBranch, sha, undefined);
      return sha;
    },
    pushFiles: async (fullName, branch, files, message = 'Change files') => {
      const additions = new Map(Object.entries(files).map(([p, c]) => [p, Buffer.from(c)]));
      for (;;) {
        const parent = await store.head(fullName, branch);
        const commit = { additions, deletions: [], message, author: direct, committer: direct };
        const sha = await store.writeCommit(fullName, parent ? { ...commit, parent } : commit);
        if (await store.compareAndSwap(fullName, branch, sha, parent)) return sha;
      }
    },
    head: (fullName, branch) => store.head(fullName, branch),
    branches: (fullName) => store.branches(fullName),
    readFile: (fullName, revision, path) => store.readFile(fullName, revision, path),
    commit: async (fullName, sha) => ({
      ...(await store.commit(fullName, sha)),
      verified: state.signed.has(sha),
    }),
    pullRequests: (fullName) => state.pulls(fullName).map((pull) => ({ ...pull })),
    requests: () => [...state.requests],
    clearRequests: () => {
      state.requests.length = 0;
    },
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await git.stop();
    },
  };
}

interface Shared {
  readonly options: GitHubEmulatorOptions;
  readonly store: RepositoryStore;
  readonly state: EmulatorState;
  readonly web: string;
  readonly api: string;
}

const routes = [...repositoryRoutes, ...pullRequestRoutes];

async function serve(req: IncomingMessage, res: ServerResponse, shared: Shared): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = decodeURIComponent(url.pathname);
  const method = req.method ?? 'GET';
  const isGraphql = path === '/graphql';
  const reply = await answer(req, { path, method, query: url.searchParams, isGraphql }, shared);
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
  });
  res.end(body);
  shared.state.requests.push({
    method,
    path,
    status: reply.status,
    graphqlErrors: errorTypes(reply),
  });
}

async function answer(
  req: IncomingMessage,
  request: { path: string; method: string; query: URLSearchParams; isGraphql: boolean },
  shared: Shared,
): Promise<Reply> {
  const doc = request.isGraphql ? docs.graphql : docs.rest;
  const header = req.headers.authorization;
  if (!header) return requiresAuthentication(doc);
  const [, token = ''] = /^(?:token|bearer)\s+(.+)$/i.exec(header) ?? [];
  const user = shared.options.tokens.find((known) => known.token === token);
  if (!user) return badCredentials(doc);
  let body: unknown;
  const text = await readBody(req);
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return restError(400, 'Problems parsing JSON', doc);
    }
  }
  const urls = { api: shared.api, web: shared.web };
  const context: RequestContext = { ...request, body, user, ...shared, urls };
  if (request.isGraphql) {
    return request.method === 'POST' ? graphql(context) : restError(404, 'Not Found', doc);
  }
  return dispatch(routes, context);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function errorTypes(reply: Reply): string[] {
  const errors = (reply.body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error) => {
    const type = (error as { type?: unknown }).type;
    return typeof type === 'string' ? [type] : [];
  });
}
