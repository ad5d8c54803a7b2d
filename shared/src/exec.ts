/**
 * The one process boundary: every child process Kustodian starts goes through a `RunCommand`.
 *
 * Logic modules take a `RunCommand` as a parameter and never spawn processes themselves.
 * `processRunner` is the real implementation: an argv array and never a shell, so no argument is
 * ever parsed as shell syntax (the lesson of CVE-2021-41254); a minimal environment, so tokens in
 * the parent's environment do not reach tools that run repository content; a time limit that
 * stops the whole process group; and bounded output.
 *
 * It sits directly on `node:child_process`: the action builds dozens of overlays per run and the
 * reconciler runs git and kustomize for every Application, and a general-purpose wrapper (execa)
 * cost about twice the parent's CPU per process for features none of them use.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
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
  /** Which stream went over: `stdout` or `stderr`. */
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
export interface ProcessRunnerOptions {
  readonly baseEnv?: () => Readonly<Record<string, string | undefined>>;
}

/** Builds a `RunCommand`; `processRunner` is the one most callers want. */
export function createProcessRunner(runnerOptions: ProcessRunnerOptions = {}): RunCommand {
  const baseEnv = runnerOptions.baseEnv ?? (() => process.env);
  return async (file, args, options = {}) => {
    if (options.signal?.aborted)
      throw new CommandAbortedError(file, { cause: options.signal.reason });
    const child = spawn(file, args, {
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
      env: { ...minimalEnv(baseEnv()), ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      // Its own process group, so that a time limit or an abort stops its descendants too.
      detached: true,
      shell: false,
      windowsHide: true,
    });
    return await supervise(file, child, options);
  };
}

/** The real process runner, with `PATH` and `HOME` taken from the parent at each call. */
export const processRunner: RunCommand = createProcessRunner();

/** @deprecated The former name of {@link ProcessRunnerOptions}. */
export type ExecaRunnerOptions = ProcessRunnerOptions;
/** @deprecated The former name of {@link createProcessRunner}. */
export const createExecaRunner = createProcessRunner;
/** @deprecated The former name of {@link processRunner}. */
export const execaRunner: RunCommand = processRunner;

/** Collects a started child's output within the limits and settles when it has ended. */
function supervise(file: string, child: ChildProcess, options: RunOptions): Promise<RunResult> {
  const maxOutputBytes = options.maxOutputBytes ?? defaultRunLimits.maxOutputBytes;
  return new Promise<RunResult>((resolve, reject) => {
    let timedOut = false;
    let aborted = false;
    let overflow: string | undefined;
    let forceKill: NodeJS.Timeout | undefined;
    const stop = () => {
      signalGroup(child, 'SIGTERM');
      forceKill ??= setTimeout(() => signalGroup(child, 'SIGKILL'), forceKillAfterMs);
    };
    const stdout = collect(child.stdout, maxOutputBytes, () => {
      overflow ??= 'stdout';
      stop();
    });
    const stderr = collect(child.stderr, maxOutputBytes, () => {
      overflow ??= 'stderr';
      stop();
    });
    const timer = setTimeout(() => {
      timedOut = true;
      stop();
    }, options.timeoutMs ?? defaultRunLimits.timeoutMs);
    const onAbort = () => {
      aborted = true;
      stop();
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      clearTimeout(timer);
      clearTimeout(forceKill);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (child.pid !== undefined) return; // a started process ends through 'close'
      settle();
      reject(new CommandStartError(file, error.code, { cause: error }));
    });
    child.once('close', (code) => {
      settle();
      if (child.pid === undefined) return;
      if (aborted) reject(new CommandAbortedError(file, { cause: options.signal?.reason }));
      else if (overflow) reject(new OutputLimitError(file, overflow, maxOutputBytes));
      else {
        const exitCode = code ?? undefined;
        resolve({ exitCode, stdout: stdout.text(), stderr: stderr.text(), timedOut });
      }
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // a process that exits without reading its input
      child.stdin.end(options.input);
    }
  });
}

/** Keeps a stream's bytes up to `limit`; past it, keeps nothing more and calls `onOverflow`. */
function collect(stream: Readable | null, limit: number, onOverflow: () => void) {
  const chunks: Buffer[] = [];
  let bytes = 0;
  stream?.on('data', (chunk: Buffer) => {
    if (bytes > limit) return;
    bytes += chunk.length;
    if (bytes > limit) onOverflow();
    else chunks.push(chunk);
  });
  return { text: () => decoder.decode(Buffer.concat(chunks)) };
}

/** Signals the child's whole process group, or the child alone when the group is gone. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    // The child has ended; descendants that kept the group alive still get the signal.
    if (child.pid !== undefined) trySignal(-child.pid, signal);
    return;
  }
  if (!trySignal(-child.pid, signal)) child.kill(signal);
}

function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    return process.kill(pid, signal);
  } catch {
    return false;
  }
}

const decoder = new TextDecoder();

function minimalEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['PATH', 'HOME'] as const) {
    const value = env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}
