/** Where the background local environment records itself. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheDir } from './binaries.ts';
import type { LocalEnvInfo } from './index.ts';

/** What the daemon writes once everything is up. */
export interface EnvState {
  readonly pid: number;
  readonly dir: string;
  readonly info: LocalEnvInfo;
}

/** Where the state file and the daemon log live: `$KUSTODIAN_ENV_STATE_DIR`, else the cache. */
export function stateDir(): string {
  return process.env.KUSTODIAN_ENV_STATE_DIR ?? cacheDir();
}

/** The state file of the background environment. */
export function stateFile(): string {
  return join(stateDir(), 'env-state.json');
}

/** The daemon's log file. */
export function daemonLog(): string {
  return join(stateDir(), 'env-daemon.log');
}

/** The recorded state, if a daemon is running. */
export async function readState(): Promise<EnvState | undefined> {
  const text = await readFile(stateFile(), 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as EnvState;
  return isAlive(state.pid) ? state : undefined;
}

/** True when a process with this pid exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
