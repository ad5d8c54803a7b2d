/**
 * The emulator as tests use it: `githubEmulator()` at a test file's top level starts one emulator
 * with a fresh root for the file and stops it (and removes the root) afterwards.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { execaRunner } from '@kustodian/shared/exec';
import { type GitHubEmulator, startGitHubEmulator } from './index.ts';

/** Tokens every test emulator accepts. */
export const testTokens = {
  /** May read and write. */
  writer: `ghs_${randomBytes(18).toString('hex')}`,
  /** May only read. */
  reader: `ghs_${randomBytes(18).toString('hex')}`,
} as const;

/** The login the writer token stands for. */
export const writerLogin = 'kustodian-bot';

/** Registers hooks that run an emulator for the file; returns its accessor. */
export function githubEmulator(): () => GitHubEmulator {
  let emulator: GitHubEmulator | undefined;
  let root: string | undefined;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'kustodian-github-'));
    emulator = await startGitHubEmulator({
      root,
      tokens: [
        { token: testTokens.writer, login: writerLogin, access: 'write' },
        { token: testTokens.reader, login: 'reader', access: 'read' },
      ],
    });
  });
  after(async () => {
    await emulator?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });
  return () => {
    if (!emulator) throw new Error('the GitHub emulator is used before it was started');
    return emulator;
  };
}

/** A unique `owner/name` for one test. */
export function uniqueRepository(prefix = 'config'): string {
  return `acme/${prefix}-${randomBytes(3).toString('hex')}`;
}

/** A raw HTTP answer: status and parsed JSON body. */
export interface RawAnswer {
  readonly status: number;
  readonly body: unknown;
}

/** Calls the emulator with `fetch`, as a client would, and parses the answer. */
export async function call(
  emulator: GitHubEmulator,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<RawAnswer> {
  const headers: Record<string, string> = { accept: 'application/vnd.github+json' };
  if (options.token !== undefined) headers.authorization = `token ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${emulator.apiUrl}${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

/**
 * Appends one commit per message to `branch` (which must exist), each keeping its parent's tree,
 * with one `git fast-import` in the bare repository: hundreds of commits in a moment, for tests
 * of long histories. Returns the new head.
 */
export async function appendCommits(
  emulator: GitHubEmulator,
  fullName: string,
  branch: string,
  messages: readonly string[],
): Promise<string> {
  const cwd = join(emulator.git.root, `${fullName}.git`);
  const head = (await emulator.head(fullName, branch)) ?? '';
  const stream = messages.map((message, index) => {
    const data = Buffer.from(message, 'utf8');
    return [
      `commit refs/heads/${branch}`,
      `committer Someone Else <someone@example.com> ${1_700_000_000 + index} +0000`,
      `data ${data.length}`,
      message,
      ...(index === 0 ? [`from ${head}`] : []),
      '',
    ].join('\n');
  });
  const result = await execaRunner('git', ['fast-import', '--quiet'], {
    cwd,
    input: stream.join(''),
  });
  if (result.exitCode !== 0) throw new Error(`git fast-import: ${result.stderr}`);
  return (await emulator.head(fullName, branch)) ?? '';
}
