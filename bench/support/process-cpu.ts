/**
 * CPU time of a local environment's processes, read from `/proc`: the API server, etcd, the
 * controller-manager, the scheduler and kwok, told apart from another environment's by a path of
 * the environment's own directory on their command line. Used to show where a sync's CPU goes
 * on a machine of few cores, where the control plane's own work bounds how fast any client can
 * be.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Clock ticks per second of `/proc/<pid>/stat` (`USER_HZ`, 100 on Linux's architectures). */
const ticksPerSecond = 100;

/** Milliseconds of CPU (user and system) by process name. */
export type CpuByProcess = Record<string, number>;

/**
 * The CPU time so far of every process whose command line contains `marker`, by name (with
 * what their children that ended took), but for the processes `except`.
 */
export async function processCpu(
  marker: string,
  except: readonly number[] = [],
): Promise<CpuByProcess> {
  const byName: CpuByProcess = {};
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid) || except.includes(Number(pid))) continue;
    try {
      const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes(marker)) continue;
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      byName[nameOf(stat)] = (byName[nameOf(stat)] ?? 0) + cpuMs(stat);
    } catch {
      // The process ended while being read.
    }
  }
  return byName;
}

/** The CPU time of one process (`pid`), with what its children that ended took. */
export async function pidCpu(pid: number): Promise<number> {
  return cpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'));
}

/** What the children of `pid` that ended took (such as a `kubectl` it ran). */
export async function childrenCpu(pid: number): Promise<number> {
  return cpuMs(await readFile(`/proc/${pid}/stat`, 'utf8'), [13, 14]);
}

/** What each process used between two readings (processes that started since count from 0). */
export function cpuAdded(before: CpuByProcess, after: CpuByProcess): CpuByProcess {
  return Object.fromEntries(
    Object.entries(after).map(([name, ms]) => [name, Math.max(0, ms - (before[name] ?? 0))]),
  );
}

/** The sum of a reading. */
export function cpuTotal(cpu: CpuByProcess): number {
  return Object.values(cpu).reduce((sum, ms) => sum + ms, 0);
}

function nameOf(stat: string): string {
  return stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
}

/**
 * utime + stime + cutime + cstime (fields 14 to 17 of `stat`; `indexes` count from the field
 * after the name, field 3), in milliseconds.
 */
function cpuMs(stat: string, indexes = [11, 12, 13, 14]): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = indexes.reduce((sum, index) => sum + Number(fields[index] ?? 0), 0);
  return (ticks * 1000) / ticksPerSecond;
}
