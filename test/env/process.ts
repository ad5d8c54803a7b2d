/**
 * One child process of the local environment: started in its own process group with its output
 * in a log file, waited on until its health endpoint answers, stopped with SIGTERM and then
 * SIGKILL so that nothing is left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How to start one process. */
export interface ProcessSpec {
  readonly name: string;
  readonly file: string;
  readonly args: readonly string[];
  /** Directory for `<name>.log`. */
  readonly logDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

/** A running process of the environment. */
export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  /** Resolves when the process has exited, with its exit code or signal. */
  readonly exited: Promise<string>;
  /** The last lines of its log, for error messages. */
  logTail(lines?: number): Promise<string>;
  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts a process in its own group, its stdout and stderr appended to `<logDir>/<name>.log`. */
export async function startProcess(spec: ProcessSpec): Promise<ManagedProcess> {
  const logFile = join(spec.logDir, `${spec.name}.log`);
  const log = await open(logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.file, spec.args, {
      detached: true,
      stdio: ['ignore', log.fd, log.fd],
      env: spec.env ?? { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' },
    });
  } finally {
    await log.close();
  }
  const pid = child.pid;
  if (pid === undefined) {
    throw new Error(`start ${spec.name}: could not spawn ${spec.file}`);
  }
  const exited = new Promise<string>((resolve) => {
    child.once('exit', (code, signal) => resolve(signal ?? `exit code ${code}`));
    child.once('error', (error) => resolve(`error ${error.message}`));
  });
  let done = false;
  void exited.then(() => {
    done = true;
  });
  const logTail = async (lines = 30) => {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    return text.split('\n').slice(-lines).join('\n');
  };
  const stop = async (graceMs = 10_000) => {
    if (done) return;
    signalGroup(pid, 'SIGTERM');
    const timedOut = await Promise.race([exited.then(() => false), sleep(graceMs, true)]);
    if (timedOut) signalGroup(pid, 'SIGKILL');
    await exited;
    // Children of the process (none expected) go with the group.
    signalGroup(pid, 'SIGKILL');
  };
  return { name: spec.name, pid, logFile, exited, logTail, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is already gone.
  }
}

/**
 * Polls `probe` until it returns true, failing early when the process exits and after
 * `timeoutMs` with the tail of the process log.
 */
export async function waitUntilHealthy(
  proc: ManagedProcess,
  probe: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitedWith: string | undefined;
  void proc.exited.then((how) => {
    exitedWith = how;
  });
  while (Date.now() < deadline) {
    if (exitedWith !== undefined) {
      throw new Error(
        `start ${proc.name}: exited (${exitedWith}) before it was ready; log tail:\n${await proc.logTail()}`,
      );
    }
    if (await probe().catch(() => false)) return;
    await sleep(200);
  }
  throw new Error(
    `start ${proc.name}: not ready after ${timeoutMs} ms; log tail:\n${await proc.logTail()}`,
  );
}
