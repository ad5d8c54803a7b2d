/**
 * The one process boundary: every child process Kustodian starts goes through a `RunCommand`.
 *
 * Logic modules take a `RunCommand` as a parameter and never start processes themselves. The
 * real implementations (`execaRunner` in `exec.ts`, `spawnRunner` in `spawn-runner.ts`) keep
 * one contract: an argv array and never a shell, so no argument is ever parsed as shell syntax
 * (the lesson of CVE-2021-41254); a minimal environment, so tokens in the parent's environment
 * do not reach tools that run repository content; a time limit that stops the whole process
 * group; and bounded output. This module holds the contract, without either implementation.
 */
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
export const forceKillAfterMs = 2_000;

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

/** Where a runner reads `PATH` and `HOME` from; the parent's environment by default. */
export interface RunnerOptions {
  readonly baseEnv?: () => Readonly<Record<string, string | undefined>>;
}

/** `PATH` and `HOME` of `env`: all a started process inherits. */
export function minimalEnv(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
