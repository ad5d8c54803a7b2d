/**
 * The one process boundary: every child process Kustodian starts goes through a `RunCommand`.
 *
 * Logic modules take a `RunCommand` as a parameter and never import execa. `execaRunner` is the
 * real implementation: an argv array and never a shell, so no argument is ever parsed as shell
 * syntax (the lesson of CVE-2021-41254); a minimal environment, so tokens in the parent's
 * environment do not reach tools that run repository content; a time limit that stops the whole
 * process group; and bounded output.
 */
import { execa } from 'execa';
import { StepError } from './errors.ts';

/** What a caller may ask of one run. */
export interface RunOptions {
  /** The working directory; the parent's when absent. */
  readonly cwd?: string;
  /** Variables added to the minimal environment (`PATH`, `HOME`); nothing else is inherited. */
  readonly env?: Readonly<Record<string, string>>;
  /** Stop the process group after this long; `defaultRunLimits.timeoutMs` when absent. */
  readonly timeoutMs?: number;
  /** The most bytes kept of stdout and of stderr each; `defaultRunLimits.maxOutputBytes` when absent. */
  readonly maxOutputBytes?: number;
  /** Written to stdin; stdin is closed (`ignore`) when absent. */
  readonly input?: string;
  /** Aborting it stops the process group and makes the run throw. */
  readonly signal?: AbortSignal;
}

/** How a process ended. A non-zero exit and a timeout are data, not errors. */
export interface RunResult {
  /** The exit code; `undefined` when a signal ended the process (for example after a timeout). */
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the time limit stopped the process; its output is then incomplete. */
  readonly timedOut: boolean;
}

/** Runs `file` with `args` (never through a shell) and reports how it ended. */
export type RunCommand = (
  file: string,
  args: readonly string[],
  options?: RunOptions,
) => Promise<RunResult>;

/** The limits a run gets when the caller names none. */
export const defaultRunLimits = { timeoutMs: 120_000, maxOutputBytes: 64 * 1024 * 1024 } as const;

/** How long a process may ignore SIGTERM before its group gets SIGKILL. */
const forceKillAfterMs = 2_000;

/** The process could not be started at all: not found, not executable, bad working directory. */
export class CommandStartError extends StepError {
  /** The system error code, such as `ENOENT` or `EACCES`, when there is one. */
  readonly code: string | undefined;

  constructor(file: string, code: string | undefined, options?: { cause?: unknown }) {
    const why = code === 'ENOENT' ? 'not found (ENOENT)' : (code ?? 'unknown error');
    super('run', file, `could not start: ${why}`, options);
    this.name = 'CommandStartError';
    this.code = code;
  }
}

/** A stream went past `maxOutputBytes`: the process was stopped and its output discarded. */
export class OutputLimitError extends StepError {
  /** Which stream went over: `stdout`, `stderr`, or `output` when execa did not say. */
  readonly stream: string;
  readonly limitBytes: number;

  constructor(file: string, stream: string, limitBytes: number) {
    super(
      'run',
      file,
      `${stream} exceeded the limit of ${limitBytes} bytes (maxOutputBytes); the process was stopped and its output discarded rather than cut`,
    );
    this.name = 'OutputLimitError';
    this.stream = stream;
    this.limitBytes = limitBytes;
  }
}

/** The run was aborted through its `signal`. */
export class CommandAbortedError extends StepError {
  constructor(file: string, options?: { cause?: unknown }) {
    super('run', file, 'aborted before it finished', options);
    this.name = 'CommandAbortedError';
  }
}

/** Where the runner reads `PATH` and `HOME` from; the parent's environment by default. */
export interface ExecaRunnerOptions {
  readonly baseEnv?: () => Readonly<Record<string, string | undefined>>;
}

/** Builds a `RunCommand` on execa; `execaRunner` is the one most callers want. */
export function createExecaRunner(runnerOptions: ExecaRunnerOptions = {}): RunCommand {
  const baseEnv = runnerOptions.baseEnv ?? (() => process.env);
  return async (file, args, options = {}) => {
    const maxOutputBytes = options.maxOutputBytes ?? defaultRunLimits.maxOutputBytes;
    const result = await execa(file, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      ...(options.input === undefined ? { stdin: 'ignore' as const } : { input: options.input }),
      ...(options.signal === undefined ? {} : { cancelSignal: options.signal }),
      env: { ...minimalEnv(baseEnv()), ...options.env },
      extendEnv: false,
      shell: false,
      timeout: options.timeoutMs ?? defaultRunLimits.timeoutMs,
      killSignal: 'SIGTERM',
      forceKillAfterDelay: forceKillAfterMs,
      killDescendants: true,
      maxBuffer: maxOutputBytes,
      encoding: 'buffer',
      stripFinalNewline: false,
      windowsHide: true,
      reject: false,
    });
    if (result.isCanceled) throw new CommandAbortedError(file, { cause: options.signal?.reason });
    if (result.isMaxBuffer) {
      throw new OutputLimitError(file, exceededStream(result.shortMessage), maxOutputBytes);
    }
    if (result.failed && result.exitCode === undefined && result.signal === undefined) {
      throw new CommandStartError(file, result.code, { cause: result.cause });
    }
    return {
      exitCode: result.exitCode,
      stdout: decoder.decode(result.stdout),
      stderr: decoder.decode(result.stderr),
      timedOut: result.timedOut,
    };
  };
}

/** The real process runner, with `PATH` and `HOME` taken from the parent at each call. */
export const execaRunner: RunCommand = createExecaRunner();

const decoder = new TextDecoder();

function minimalEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

// execa names the stream only in its message ("Command's stdout was larger than ...").
function exceededStream(message: string | undefined): string {
  return /^Command's (stdout|stderr)\b/.exec(message ?? '')?.[1] ?? 'output';
}
