/**
 * `execaRunner`: the `RunCommand` (see `run-command.ts`) on execa, which the reconciler uses.
 */
import { execa } from 'execa';
import {
  CommandAbortedError,
  CommandStartError,
  defaultRunLimits,
  forceKillAfterMs,
  minimalEnv,
  OutputLimitError,
  type RunCommand,
  type RunnerOptions,
} from './run-command.ts';

export * from './run-command.ts';

/** Where the runner reads `PATH` and `HOME` from; the parent's environment by default. */
export type ExecaRunnerOptions = RunnerOptions;

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

// execa names the stream only in its message ("Command's stdout was larger than ...").
function exceededStream(message: string | undefined): string {
  return /^Command's (stdout|stderr)\b/.exec(message ?? '')?.[1] ?? 'output';
}
