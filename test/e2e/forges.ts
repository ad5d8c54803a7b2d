/**
 * Where the loop test's config repository lives, behind one interface: a git server over HTTPS
 * with a private CA (the action lands with `commit: push`), or the GitHub API emulator (the
 * action lands with `commit: api`, a signed `createCommitOnBranch`; git is served over HTTPS
 * for the action's clone, as GitHub serves it, and over the emulator's plain HTTP for the
 * reconciler). Plus the example repository made safe for a shared cluster.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaRunner } from '@kustodian/shared/exec';
import type { GitCredentialValues } from '../demo/applications.ts';
import { type Files, pushInitialCommit } from '../demo/config-repo.ts';
import type { ReleaseTarget } from '../demo/release.ts';
import { type GitServer, startGitServer } from '../env/git-server.ts';
import { createAuthority, readPem } from '../env/pki.ts';
import type { GitHubEmulator } from '../github-emulator/index.ts';

/** A commit as the forge records it. */
export interface ForgeCommit {
  readonly message: string;
  readonly parents: readonly string[];
  /** Whether the forge shows it as Verified (signed); `undefined` where it has no such notion. */
  readonly verified: boolean | undefined;
}

/** A config repository on some forge. */
export interface Forge {
  readonly commitMode: 'push' | 'api';
  readonly fullName: string;
  /** The address the Applications fetch from and the push webhook names. */
  readonly cloneUrl: string;
  /** The git credentials Secret's values for the reconciler. */
  readonly credentials: GitCredentialValues;
  /** How the release's action step reaches the repository. */
  readonly target: Omit<ReleaseTarget, 'kustomize'>;
  /** Creates the repository with `files` as the first commit of `main`; returns it. */
  seed(files: Files): Promise<string>;
  head(): Promise<string | undefined>;
  commit(sha: string): Promise<ForgeCommit>;
  readFile(revision: string, path: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** A CA and a git server over HTTPS with its certificate, serving `root`. */
export async function startHttpsGit(
  dir: string,
  root: string,
  credentials: { username: string; password: string },
): Promise<{ server: GitServer; caFile: string; caPem: string }> {
  const ca = await createAuthority(dir, 'git-ca');
  const leaf = await ca.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
  const server = await startGitServer({
    root,
    ...credentials,
    tls: { cert: await readPem(leaf.cert), key: await readPem(leaf.key) },
  });
  return { server, caFile: ca.cert, caPem: await readPem(ca.cert) };
}

/** A git server of its own over HTTPS; the action pushes to it. */
export async function pushForge(): Promise<Forge> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-loop-git-'));
  const username = 'kustodian';
  const password = randomBytes(18).toString('base64url');
  const https = await startHttpsGit(dir, join(dir, 'repos'), { username, password });
  const fullName = 'acme/config';
  const cloneUrl = `${https.server.url}/${fullName}.git`;
  const bare = join(dir, 'repos', `${fullName}.git`);
  const git = async (...args: string[]) => {
    const result = await execaRunner('git', ['--git-dir', bare, ...args]);
    return result.exitCode === 0 ? result.stdout : undefined;
  };
  return {
    commitMode: 'push',
    fullName,
    cloneUrl,
    credentials: { username, password, 'ca.crt': https.caPem },
    target: {
      repository: cloneUrl,
      token: password,
      commit: 'push',
      serverUrl: 'https://github.com',
      apiUrl: 'https://api.github.com',
      env: { GIT_SSL_CAINFO: https.caFile },
    },
    seed: (files) =>
      pushInitialCommit(cloneUrl, files, { username, password, caFile: https.caFile }),
    head: async () => (await git('rev-parse', 'refs/heads/main'))?.trim(),
    commit: async (sha) => ({
      message: (await git('log', '-1', '--format=%B', sha)) ?? '',
      parents: ((await git('log', '-1', '--format=%P', sha)) ?? '').trim().split(' '),
      verified: undefined,
    }),
    readFile: (revision, path) => git('show', `${revision}:${path}`),
    stop: async () => {
      await https.server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A repository of the GitHub API emulator; the action commits through its GraphQL API. */
export async function apiForge(
  emulator: GitHubEmulator,
  token: string,
  fullName: string,
): Promise<Forge> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-loop-github-'));
  // The same bare repositories as the emulator's own git server, over HTTPS.
  const https = await startHttpsGit(dir, emulator.git.root, {
    username: 'x-access-token',
    password: token,
  });
  return {
    commitMode: 'api',
    fullName,
    cloneUrl: emulator.cloneUrl(fullName),
    credentials: { username: 'x-access-token', password: token },
    target: {
      repository: fullName,
      token,
      commit: 'api',
      serverUrl: https.server.url,
      apiUrl: emulator.apiUrl,
      env: { GIT_SSL_CAINFO: https.caFile },
    },
    seed: (files) => emulator.createRepository(fullName, files),
    head: () => emulator.head(fullName, 'main'),
    commit: async (sha) => {
      const info = await emulator.commit(fullName, sha);
      return { message: info.message, parents: info.parents, verified: info.verified };
    },
    readFile: (revision, path) => emulator.readFile(fullName, revision, path),
    stop: async () => {
      await https.server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The example repository with each app's namespace renamed to `<app>-<suffix>` (pure), so that
 * runs on a shared cluster never meet: the bases set the namespace and create it.
 */
export function withNamespaceSuffix(files: Files, suffix: string): Files {
  const renamed: Files = { ...files };
  for (const app of ['web', 'api']) {
    for (const [file, field] of [
      [`apps/${app}/base/kustomization.yaml`, /^namespace: (\S+)$/m],
      [`apps/${app}/base/namespace.yaml`, /^ {2}name: (\S+)$/m],
    ] as const) {
      const text = renamed[file];
      if (text === undefined || !field.test(text)) {
        throw new Error(`the example's ${file} no longer sets the namespace where expected`);
      }
      renamed[file] = text.replace(field, (line, name: string) =>
        line.replace(name, `${name}-${suffix}`),
      );
    }
  }
  return renamed;
}
