/**
 * Loaded with `--import` into a benchmarked action process, this writes what only the process
 * itself can see to the file `KUSTODIAN_BENCH_PROBE` names when it exits: its own CPU time, the
 * CPU time of the children it reaped (kustomize and git), the part of that spent by children
 * reaped after the first `kustomize build` started (the builds), and its peak resident memory.
 * It reads `/proc/self/stat` twice and `/proc/self/status` once, nothing in between.
 *
 * The benchmarked code is not changed: the probe only watches `ChildProcess.prototype.spawn`.
 */
import { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = process.env.KUSTODIAN_BENCH_PROBE;
/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/** Field `index` (1-based, as `man 5 proc` numbers them) of a stat file, as milliseconds. */
function statMs(path: string): (index: number) => number {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (index) => (Number(fields[index - 3]) * 1000) / ticksPerSecond;
}

/** utime + stime and cutime + cstime of this process, in milliseconds. */
function cpuTimes(): { self: number; children: number } {
  const tick = statMs('/proc/self/stat');
  return { self: tick(14) + tick(15), children: tick(16) + tick(17) };
}

/** CPU time by thread name (`node` is the main thread), in milliseconds. */
function threadCpu(): Record<string, number> {
  const byName: Record<string, number> = {};
  for (const id of readdirSync('/proc/self/task')) {
    const name = readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim();
    const tick = statMs(`/proc/self/task/${id}/stat`);
    byName[name] = (byName[name] ?? 0) + tick(14) + tick(15);
  }
  return byName;
}

function peakRssKiB(): number {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

if (out !== undefined) {
  let childrenBeforeBuilds: number | undefined;
  const spawned: string[] = [];
  // `spawn` is on the prototype but not in @types/node: it is what every `child_process` call ends in.
  type SpawnOptions = { readonly file: string; readonly args?: readonly string[] };
  const prototype = ChildProcess.prototype as unknown as {
    spawn: (this: ChildProcess, options: SpawnOptions) => unknown;
  };
  const original = prototype.spawn;
  prototype.spawn = function spawn(this: ChildProcess, options: SpawnOptions) {
    const args = (options.args ?? []).slice(1);
    const name = String(options.file).split('/').pop() ?? '';
    spawned.push(`${name} ${args[0] ?? ''}`.trim());
    if (childrenBeforeBuilds === undefined && name === 'kustomize' && args[0] === 'build') {
      childrenBeforeBuilds = cpuTimes().children;
    }
    return original.call(this, options);
  };
  process.on('exit', () => {
    const { self, children } = cpuTimes();
    const probe = {
      selfCpuMs: self,
      childrenCpuMs: children,
      buildsCpuMs: children - (childrenBeforeBuilds ?? children),
      peakRssKiB: peakRssKiB(),
      threadCpuMs: threadCpu(),
      spawned,
    };
    writeFileSync(out, JSON.stringify(probe));
  });
}
