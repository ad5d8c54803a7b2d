/**
 * A `RunCommand` on `node:child_process` alone, with the contract of `execaRunner` (argv and
 * never a shell, only `PATH`, `HOME` and what the caller adds in the environment, a time limit
 * that stops the whole process group, bounded output, abort, start errors as
 * `CommandStartError`), for callers that start many short processes: it does a fraction of
 * execa's work per process, which the action pays sixty times over on a large repository.
 */
import { spawn } from 'node:child_process';
import {
  CommandAbortedError,
  CommandStartError,
  defaultRunLimits,
  forceKillAfterMs,
  minimalEnv,
  OutputLimitError,
  type RunCommand,
  type RunnerOptions,
  type RunResult,
} from './run-command.ts';

/** Builds a `RunCommand` on `child_process.spawn`; `spawnRunner` is the one most callers want. */
export function createSpawnRunner(runnerOptions: RunnerOptions = {}): RunCommand {
  const baseEnv = runnerOptions.baseEnv ?? (() => process.env);
  return (file, args, options = {}) =>
    new Promise<RunResult>((resolve, reject) => {
      const { signal } = options;
      if (signal?.aborted) {
        reject(new CommandAbortedError(file, { cause: signal.reason }));
        return;
      }
      const maxOutputBytes = options.maxOutputBytes ?? defaultRunLimits.maxOutputBytes;
      const child = spawn(file, args, {
        ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
        env: { ...minimalEnv(baseEnv()), ...options.env },
        stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        // Its own process group, so a time limit or an abort stops what it started too.
        detached: true,
        shell: false,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      const sizes = { stdout: 0, stderr: 0 };
      let ended: 'timeout' | 'aborted' | OutputLimitError | undefined;
      let forceKill: NodeJS.Timeout | undefined;
      const stopGroup = (why: NonNullable<typeof ended>): void => {
        if (ended !== undefined) return;
        ended = why;
        killGroup(child.pid, 'SIGTERM');
        forceKill = setTimeout(() => killGroup(child.pid, 'SIGKILL'), forceKillAfterMs);
        forceKill.unref();
      };
      const collect = (stream: 'stdout' | 'stderr', into: Buffer[]) => (chunk: Buffer) => {
        sizes[stream] += chunk.length;
        if (sizes[stream] > maxOutputBytes) {
          stopGroup(new OutputLimitError(file, stream, maxOutputBytes));
          return;
        }
        into.push(chunk);
      };
      child.stdout?.on('data', collect('stdout', stdout));
      child.stderr?.on('data', collect('stderr', stderr));
      const timer = setTimeout(
        () => stopGroup('timeout'),
        options.timeoutMs ?? defaultRunLimits.timeoutMs,
      );
      const onAbort = () => stopGroup('aborted');
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
      };
      child.on('error', (thrown: NodeJS.ErrnoException) => {
        // Only a process that never started lands here without a pid.
        if (child.pid !== undefined) return;
        settle();
        reject(new CommandStartError(file, thrown.code, { cause: thrown }));
      });
      child.on('close', (code) => {
        settle();
        if (forceKill !== undefined) clearTimeout(forceKill);
        if (child.pid === undefined) return; // the start error is reported above
        if (ended === 'aborted') {
          reject(new CommandAbortedError(file, { cause: signal?.reason }));
        } else if (ended instanceof OutputLimitError) {
          reject(ended);
        } else {
          resolve({
            exitCode: code ?? undefined,
            stdout: Buffer.concat(stdout).toString('utf8'),
            stderr: Buffer.concat(stderr).toString('utf8'),
            timedOut: ended === 'timeout',
          });
        }
      });
      if (options.input !== undefined && child.stdin) {
        child.stdin.on('error', () => {}); // a process that does not read its input
        child.stdin.end(options.input);
      }
    });
}

/** The process runner on `child_process`, with `PATH` and `HOME` taken from the parent at each call. */
export const spawnRunner: RunCommand = createSpawnRunner();

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}
