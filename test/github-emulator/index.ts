/**
 * A GitHub API emulator on loopback for the action's `api` and `pull-request` modes: exactly the
 * REST and GraphQL calls the action makes (see `repo-routes.ts`, `commit-routes.ts`,
 * `compare-routes.ts`, `pull-routes.ts`, `graphql.ts`), with GitHub's status codes and error
 * shapes, backed by real bare repositories that a git smart-HTTP server (`test/env/git-server.ts`,
 * same root) serves for clone and fetch.
 *
 * Tokens are a configured set: an unknown one gets 401 `Bad credentials`, a `read` one gets 403
 * (REST) or `FORBIDDEN` (GraphQL) on writes. The git server accepts the first `write` token as
 * the password of any user name (`x-access-token:<token>`, as on GitHub).
 */
import { createServer } from 'node:http';
import { type GitServer, startGitServer } from '../env/git-server.ts';
import { type CommitInfo, RepositoryStore } from './repositories.ts';
import { type Files, pushFiles, seedRepository } from './seed.ts';
import { serve } from './server.ts';
import {
  type EmulatorRequest,
  EmulatorState,
  type EmulatorToken,
  type PullRequestRecord,
} from './state.ts';

export type { Files } from './seed.ts';
export type { EmulatorRequest, EmulatorToken, PullRequestRecord } from './state.ts';

/** Options of the emulator. */
export interface GitHubEmulatorOptions {
  /** Directory of the bare repositories (`<root>/<owner>/<name>.git`). */
  readonly root: string;
  /** Accepted tokens; the first `write` one is also the git server's password. */
  readonly tokens: readonly EmulatorToken[];
}

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
    serve(req, res, { tokens: options.tokens, store, state, web: git.url, api: apiUrl }).catch(
      (error) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `emulator error: ${String(error)}` }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('github emulator: no address');
  const apiUrl = `http://127.0.0.1:${address.port}`;
  return {
    apiUrl,
    gitUrl: git.url,
    git,
    cloneUrl: (fullName) => `${git.url}/${fullName}.git`,
    createRepository: (fullName, files, defaultBranch = 'main') =>
      seedRepository(store, fullName, files, defaultBranch),
    pushFiles: (fullName, branch, files, message = 'Change files') =>
      pushFiles({ store, state }, { fullName, branch, files, message }),
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
