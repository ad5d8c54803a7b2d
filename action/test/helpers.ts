/**
 * Running the bundled action the way a GitHub runner does: `node action/dist/index.js` as a
 * child process with `INPUT_*`, `GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY` and the other `GITHUB_*`
 * variables set, and nothing else of the test's environment. Plus config repositories to run
 * it against: bare repositories on disk and on the local git server over HTTPS.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireBinary } from '../../test/env/binaries.ts';

const execFileAsync = promisify(execFile);

/** The repository's root. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
/** The bundled action. */
export const distEntry = join(repoRoot, 'action/dist/index.js');
/** The example config repository. */
export const exampleRepo = join(repoRoot, 'examples/config-repo');

/** Runs git with argv only; returns stdout. */
export async function git(
  args: readonly string[],
  cwd?: string,
  env?: Record<string, string>,
): Promise<string> {
  const options = { cwd, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env } };
  const { stdout } = await execFileAsync('git', [...args], options);
  return stdout;
}

/** A temp directory removed by `cleanup`. */
export async function tempDir(
  prefix: string,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `kustodian-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A bare repository at `<dir>/origin.git` holding the example config repository (plus
 * `extraFiles`) in one commit on `main`; returns its `file://` URL.
 */
export async function bareConfigRepo(
  dir: string,
  extraFiles: Record<string, string> = {},
): Promise<string> {
  const work = join(dir, 'seed');
  await cp(exampleRepo, work, { recursive: true });
  for (const [path, content] of Object.entries(extraFiles)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  await git(['init', '-q', '-b', 'main'], work);
  await git(['add', '-A'], work);
  await git(
    ['-c', 'user.name=seed', '-c', 'user.email=seed@example.com', 'commit', '-qm', 'seed'],
    work,
  );
  await git(['clone', '-q', '--bare', work, join(dir, 'origin.git')]);
  return `file://${join(dir, 'origin.git')}`;
}

/** What one run of the action left behind. */
export interface ActionRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly outputs: Record<string, string>;
  readonly summary: string;
}

/** Options of one run. */
export interface RunActionOptions {
  /** Inputs by their `action.yml` names. */
  readonly inputs: Record<string, string>;
  /** `GITHUB_*` and other variables to set or override. */
  readonly env?: Record<string, string>;
  /** The event payload written to `GITHUB_EVENT_PATH`. */
  readonly event?: unknown;
}

/** `INPUT_<NAME>` as the runner spells it: uppercased, spaces to `_`, hyphens kept. */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/** Runs `action/dist/index.js` once in a fresh runner-like environment. */
export async function runAction(options: RunActionOptions): Promise<ActionRun> {
  const { dir, cleanup } = await tempDir('runner');
  try {
    const kustomize = await requireBinary('kustomize');
    const output = join(dir, 'output');
    const summary = join(dir, 'summary');
    const eventPath = join(dir, 'event.json');
    await writeFile(output, '');
    await writeFile(summary, '');
    await writeFile(eventPath, JSON.stringify(options.event ?? {}));
    const env: Record<string, string> = {
      PATH: `${dirname(kustomize)}:/usr/local/bin:/usr/bin:/bin`,
      HOME: process.env.HOME ?? dir,
      GITHUB_OUTPUT: output,
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_WORKSPACE: dir,
      GITHUB_REPOSITORY: 'acme/web',
      GITHUB_SHA: '5f1d3c0ffee5f1d3c0ffee5f1d3c0ffee5f1d3c0',
      GITHUB_RUN_ID: '1234',
      GITHUB_SERVER_URL: 'https://github.com',
      GITHUB_EVENT_NAME: 'release',
      GITHUB_EVENT_PATH: eventPath,
      RUNNER_TEMP: dir,
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs)) env[inputVariable(name)] = value;
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>(
      (resolve) => {
        execFile(
          process.execPath,
          [distEntry],
          { env, maxBuffer: 64 * 1024 * 1024 },
          (thrown, stdout, stderr) => {
            const code = thrown === null ? 0 : typeof thrown.code === 'number' ? thrown.code : 1;
            resolve({ code, stdout, stderr });
          },
        );
      },
    );
    return {
      ...result,
      outputs: parseOutputFile(await readFile(output, 'utf8')),
      summary: await readFile(summary, 'utf8'),
    };
  } finally {
    await cleanup();
  }
}

/** Reads a `GITHUB_OUTPUT` file: `name<<delimiter` heredocs and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name = '', delimiter] = heredoc;
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== delimiter; i++) value.push(lines[i] ?? '');
      outputs[name] = value.join('\n');
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return outputs;
}

/** The commits of `branch` in a bare repository, newest first. */
export async function commitsOf(bare: string, branch = 'main'): Promise<string[]> {
  return (await git(['--git-dir', bare, 'rev-list', branch])).trim().split('\n').filter(Boolean);
}

/** A file's content at `branch` of a bare repository. */
export async function fileAt(bare: string, path: string, branch = 'main'): Promise<string> {
  return git(['--git-dir', bare, 'show', `${branch}:${path}`]);
}
