/**
 * Running the bundled action exactly as a GitHub runner runs a `uses:` step: `node
 * action/dist/index.js` as a child process with every input of `action.yml` as `INPUT_<NAME>`
 * (defaults filled in, expressions resolved), the `GITHUB_*` and `RUNNER_*` variables, an event
 * payload file, and fresh `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files read back afterwards.
 * Its log is shown as the runner shows it: workflow commands turned into readable lines and
 * masked values replaced by `***`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './config-repo.ts';
import { parseOutputFile, renderRunnerLog } from './runner-log.ts';

/** The bundled action and its metadata. */
export const actionDir = join(projectRoot, 'action');

/** The workflow run the step belongs to (what `github.*` holds). */
export interface RunnerContext {
  /** The repository whose workflow runs (`github.repository`), e.g. the app repository. */
  readonly repository: string;
  /** The commit that triggered the run (`github.sha`). */
  readonly sha: string;
  /** `github.ref`, such as `refs/tags/v1.4.3`. */
  readonly ref: string;
  readonly eventName: string;
  /** The event payload. */
  readonly event: unknown;
  readonly runId: string;
  readonly serverUrl: string;
  readonly apiUrl: string;
  /** `github.token`: what an input defaulting to `${{ github.token }}` receives. */
  readonly token: string;
}

/** One `uses:` step. */
export interface ActionStep {
  /** The step's `with:`, by input name. */
  readonly inputs: Readonly<Record<string, string>>;
  readonly context: RunnerContext;
  /** Directories the runner image has on PATH for tools (kustomize). */
  readonly toolDirs: readonly string[];
  /** Further variables of the job's `env:`, such as `GIT_SSL_CAINFO`. */
  readonly env?: Readonly<Record<string, string>>;
}

/** What the step left behind. */
export interface StepResult {
  readonly code: number;
  /** stdout and stderr as the runner shows them. */
  readonly log: string[];
  readonly outputs: Record<string, string>;
  readonly summary: string;
  readonly startedAt: number;
  readonly finishedAt: number;
}

/** `INPUT_<NAME>`: uppercased, spaces to `_`, hyphens kept (as the runner spells it). */
export function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

/**
 * Every input's value: the given one, else `action.yml`'s default with `${{ github.* }}`
 * expressions resolved from the context (pure).
 */
export function resolveInputs(
  declared: Readonly<Record<string, { default?: unknown }>>,
  given: Readonly<Record<string, string>>,
  context: RunnerContext,
): Record<string, string> {
  const known: Record<string, string> = {
    'github.repository': context.repository,
    'github.token': context.token,
    'github.sha': context.sha,
    'github.ref': context.ref,
  };
  const values: Record<string, string> = {};
  for (const [name, input] of Object.entries(declared)) {
    const fallback = typeof input.default === 'string' ? input.default : '';
    values[name] =
      given[name] ??
      fallback.replace(/\$\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => known[key] ?? '');
  }
  return { ...values, ...given };
}

/** The step's environment (pure). */
export function stepEnvironment(
  step: ActionStep,
  inputs: Readonly<Record<string, string>>,
  files: RunnerFiles,
): Record<string, string> {
  const { context } = step;
  const [owner = ''] = context.repository.split('/');
  const env: Record<string, string> = {
    PATH: [...step.toolDirs, process.env.PATH ?? '/usr/bin:/bin'].join(':'),
    HOME: files.dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_ACTION: 'kustodian',
    GITHUB_ACTOR: 'acme-release-bot',
    GITHUB_API_URL: context.apiUrl,
    GITHUB_GRAPHQL_URL: `${context.apiUrl}/graphql`,
    GITHUB_EVENT_NAME: context.eventName,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_JOB: 'bump',
    GITHUB_OUTPUT: files.output,
    GITHUB_REF: context.ref,
    GITHUB_REF_NAME: context.ref.replace(/^refs\/(heads|tags)\//, ''),
    GITHUB_REPOSITORY: context.repository,
    GITHUB_REPOSITORY_OWNER: owner,
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_RUN_ID: context.runId,
    GITHUB_RUN_NUMBER: '1',
    GITHUB_SERVER_URL: context.serverUrl,
    GITHUB_SHA: context.sha,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_WORKFLOW: 'release',
    GITHUB_WORKSPACE: files.dir,
    RUNNER_ARCH: 'X64',
    RUNNER_OS: 'Linux',
    RUNNER_TEMP: files.dir,
    ...step.env,
  };
  for (const [name, value] of Object.entries(inputs)) env[inputVariable(name)] = value;
  return env;
}

/** The files a runner gives a step, in `dir`. */
export interface RunnerFiles {
  readonly dir: string;
  /** `GITHUB_OUTPUT`, empty. */
  readonly output: string;
  /** `GITHUB_STEP_SUMMARY`, empty. */
  readonly summary: string;
  /** `GITHUB_EVENT_PATH`, holding the event payload. */
  readonly event: string;
}

/** Writes a step's runner files into `dir`. */
export async function runnerFiles(dir: string, event: unknown): Promise<RunnerFiles> {
  const files = {
    dir,
    output: join(dir, 'github-output'),
    summary: join(dir, 'step-summary.md'),
    event: join(dir, 'event.json'),
  };
  await writeFile(files.output, '');
  await writeFile(files.summary, '');
  await writeFile(files.event, JSON.stringify(event));
  return files;
}

/** Runs the step; a failing action is a result with a non-zero code, not a throw. */
export async function runActionStep(step: ActionStep): Promise<StepResult> {
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-runner-'));
  try {
    const files = await runnerFiles(dir, step.context.event);
    const metadata = parse(await readFile(join(actionDir, 'action.yml'), 'utf8')) as {
      inputs: Record<string, { default?: unknown }>;
    };
    const inputs = resolveInputs(metadata.inputs, step.inputs, step.context);
    const env = stepEnvironment(step, inputs, files);
    const startedAt = Date.now();
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(actionDir, 'dist/index.js')],
        { env, cwd: dir, maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
          resolve({ code, stdout, stderr });
        },
      );
    });
    const finishedAt = Date.now();
    const secrets = [step.context.token, inputs.token ?? ''];
    return {
      code: run.code,
      log: renderRunnerLog(`${run.stdout}\n${run.stderr}`, secrets),
      outputs: parseOutputFile(await readFile(files.output, 'utf8')),
      summary: await readFile(files.summary, 'utf8'),
      startedAt,
      finishedAt,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
