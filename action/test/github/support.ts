/**
 * Test support for the GitHub landers: working copies cloned from the emulator's git server, and
 * a `prepare` that sets image tags with the shared kustomization editor, as the action does.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execaRunner } from '@kustodian/shared/exec';
import { setImages } from '@kustodian/shared/images/kustomization';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import type { GitHubEmulator } from '../../../test/github-emulator/index.ts';
import type { GitHubClient } from '../../src/github/api.ts';
import type { WorkingCopy } from '../../src/github/checkout.ts';
import { createGitHubClient } from '../../src/github/client.ts';
import type { FileChange, PrepareEdit } from '../../src/land/types.ts';

/** A working copy that can also be removed. */
export interface TestWorkingCopy extends WorkingCopy {
  remove(): Promise<void>;
}

/** Clones `branch` of a repository of the emulator, authenticated with `token`. */
export async function cloneFromEmulator(
  emulator: GitHubEmulator,
  fullName: string,
  branch: string,
  token: string,
): Promise<TestWorkingCopy> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-landing-'));
  const header = `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString('base64')}`;
  const git = async (args: string[]) => {
    const result = await execaRunner('git', ['-c', `http.extraHeader=${header}`, ...args], {
      cwd: dir,
    });
    assert.equal(result.exitCode, 0, `git ${args[0]}: ${result.stderr}`);
    return result.stdout.trim();
  };
  await git(['clone', '--quiet', '--branch', branch, emulator.cloneUrl(fullName), '.']);
  return {
    dir,
    head: () => git(['rev-parse', 'HEAD']),
    resetToRemote: async (name) => {
      await git(['fetch', '--quiet', 'origin', name]);
      await git(['reset', '--quiet', '--hard', 'FETCH_HEAD']);
      return git(['rev-parse', 'HEAD']);
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A client of the emulator for one repository. */
export function emulatorClient(
  emulator: GitHubEmulator,
  fullName: string,
  token: string,
): GitHubClient {
  const [owner = '', repo = ''] = fullName.split('/');
  return createGitHubClient({ token, apiUrl: emulator.apiUrl, repository: { owner, repo } });
}

/** A `prepare` that applies `updates` to the kustomization file at `path`. */
export function setImagesIn(path: string, updates: readonly ImageUpdate[]): PrepareEdit {
  return async (checkout) => {
    const file = join(checkout.dir, path);
    const before = await readFile(file, 'utf8');
    const { text } = setImages(before, updates, { path, allowAdd: false });
    if (text === before) return [];
    await writeFile(file, text);
    const change: FileChange = { path, content: text };
    return [change];
  };
}

/** A kustomization with `count` images `app-0`..`app-<count-1>` at tag 1.0.0, with comments. */
export function kustomization(count: number): string {
  const images = Array.from(
    { length: count },
    (_, index) =>
      `  # app ${index} is built by its own repository\n  - name: app-${index}\n    newTag: 1.0.0 # bumped by CI\n`,
  );
  return [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    'resources:',
    '  - deployment.yaml',
    'images:',
    images.join(''),
  ].join('\n');
}

/**
 * A clock that does not wait and records what it was asked to wait; its time moves only by
 * what it slept (plus `tick` ms on every reading), so time budgets run out deterministically.
 */
export function instantClock(tick = 0): {
  now(): number;
  sleep(ms: number): Promise<void>;
  random(): number;
  waits: number[];
} {
  const waits: number[] = [];
  let time = 0;
  return {
    waits,
    now: () => {
      time += tick;
      return time;
    },
    sleep: async (ms) => {
      waits.push(ms);
      time += ms;
    },
    random: () => 0.5,
  };
}

/** Runs git in the emulator's bare repository of `fullName`; the exit code and stdout. */
async function bareGit(
  emulator: GitHubEmulator,
  fullName: string,
  args: readonly string[],
): Promise<{ exitCode: number | undefined; stdout: string }> {
  const result = await execaRunner('git', args, {
    cwd: join(emulator.git.root, `${fullName}.git`),
  });
  return { exitCode: result.exitCode, stdout: result.stdout.trim() };
}

/** Whether `ancestor` is in the history of `descendant`, as `git merge-base --is-ancestor` says. */
export async function isAncestor(
  emulator: GitHubEmulator,
  fullName: string,
  ancestor: string,
  descendant: string,
): Promise<boolean> {
  const result = await bareGit(emulator, fullName, [
    'merge-base',
    '--is-ancestor',
    ancestor,
    descendant,
  ]);
  return result.exitCode === 0;
}

/**
 * What a pull request from `head` into `base` shows: the merge base, and the paths that differ
 * between it and `head` (`git diff --name-only <merge-base> <head>`), sorted.
 */
export async function pullRequestDiff(
  emulator: GitHubEmulator,
  fullName: string,
  base: string,
  head: string,
): Promise<{ mergeBase: string; paths: string[] }> {
  const run = async (args: readonly string[]) => {
    const result = await bareGit(emulator, fullName, args);
    assert.equal(result.exitCode, 0, `git ${args.join(' ')}`);
    return result.stdout;
  };
  const mergeBase = await run(['merge-base', `refs/heads/${base}`, `refs/heads/${head}`]);
  const names = await run(['diff', '--name-only', mergeBase, `refs/heads/${head}`, '--']);
  return {
    mergeBase,
    paths: names
      .split('\n')
      .filter((line) => line !== '')
      .sort(),
  };
}
