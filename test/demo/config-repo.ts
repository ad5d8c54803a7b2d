/**
 * The example config repository on a git server: its files read from `examples/config-repo/`
 * and pushed as the first commit of a repository over HTTPS, the way a person creating the
 * repository would (git with a token in an HTTP header, the server's CA trusted).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import { execaRunner } from '@kustodian/shared/exec';

/** The project's root directory. */
export const projectRoot = join(import.meta.dirname, '../..');
/** The example config repository. */
export const exampleConfigRepo = join(projectRoot, 'examples/config-repo');

/** File contents by path relative to the repository root. */
export type Files = Record<string, string>;

/** How to reach a git server over HTTP(S). */
export interface GitAccess {
  readonly username: string;
  readonly password: string;
  /** A PEM file of the CA that signed the server's certificate. */
  readonly caFile?: string;
}

/** Every file under `dir` (recursively), by path relative to `dir`, sorted. */
export async function readFiles(dir: string): Promise<Files> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files: Files = {};
  const paths = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort();
  for (const path of paths) files[path] = await readFile(join(dir, path), 'utf8');
  return files;
}

/** The environment that gives git the credentials and CA of `access`, never in a URL. */
export function gitAccessEnv(access: GitAccess): Record<string, string> {
  const basic = Buffer.from(`${access.username}:${access.password}`).toString('base64');
  return {
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
    ...(access.caFile ? { GIT_SSL_CAINFO: access.caFile } : {}),
  };
}

/**
 * Commits `files` as the first commit of `main` and pushes it to `url`; returns the commit.
 * The work tree lives in a temporary directory that is removed afterwards.
 */
export async function pushInitialCommit(
  url: string,
  files: Files,
  access: GitAccess,
  message = 'The acme shop: web and api, staging and production',
): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'kustodian-seed-'));
  const env = {
    ...gitAccessEnv(access),
    HOME: work,
    GIT_AUTHOR_NAME: 'Acme Platform Team',
    GIT_AUTHOR_EMAIL: 'platform@acme.example',
    GIT_COMMITTER_NAME: 'Acme Platform Team',
    GIT_COMMITTER_EMAIL: 'platform@acme.example',
  };
  const git = async (...args: string[]) => {
    const result = await execaRunner('git', args, { cwd: join(work, 'repo'), env });
    if (result.exitCode !== 0) {
      throw new StepError('push', url, `git ${args[0]} failed: ${result.stderr.trim()}`);
    }
    return result.stdout.trim();
  };
  try {
    await mkdir(join(work, 'repo'));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(work, 'repo', path)), { recursive: true });
      await writeFile(join(work, 'repo', path), content);
    }
    await git('init', '--quiet', '--initial-branch=main');
    await git('add', '--all');
    await git('commit', '--quiet', '--message', message);
    await git('push', '--quiet', url, 'HEAD:refs/heads/main');
    return await git('rev-parse', 'HEAD');
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
