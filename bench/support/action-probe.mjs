/**
 * Loaded with `--import` into a benchmarked action process, this writes what only the process
 * itself can see to the file `KUSTODIAN_BENCH_PROBE` names when it exits: its own CPU time (in
 * all, by thread, and when its first and last `kustomize build` started), the CPU time of the
 * children it reaped (kustomize and git), the part of that spent by children reaped after the
 * first build started (the builds), its peak resident memory, and what it started.
 *
 * Plain JavaScript, unlike the rest of the project: a `.ts` file would make Node load its type
 * stripper (a WebAssembly module) into the measured process, a cost the action does not have.
 * The benchmarked code is not changed: the probe only watches `ChildProcess.prototype.spawn`
 * (what every `child_process` call ends in) and reads `/proc/self` there and at exit.
 */
import { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const out = process.env.KUSTODIAN_BENCH_PROBE;
/** Clock ticks per second of `/proc/<pid>/stat` (USER_HZ, 100 on Linux). */
const ticksPerSecond = 100;

/**
 * Field `index` (1-based, as `man 5 proc` numbers them) of a stat file, as milliseconds.
 * @param {string} path
 * @returns {(index: number) => number}
 */
function statMs(path) {
  const stat = readFileSync(path, 'utf8');
  // Fields after the command name (which may hold spaces), from field 3 on.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (index) => (Number(fields[index - 3]) * 1000) / ticksPerSecond;
}

/** utime + stime and cutime + cstime of this process, in milliseconds. */
function cpuTimes() {
  const tick = statMs('/proc/self/stat');
  return { self: tick(14) + tick(15), children: tick(16) + tick(17) };
}

/** CPU time by thread name (`MainThread`, `V8Worker`, `libuv-worker`), in milliseconds. */
function threadCpu() {
  /** @type {Record<string, number>} */
  const byName = {};
  for (const id of readdirSync('/proc/self/task')) {
    const name = readFileSync(`/proc/self/task/${id}/comm`, 'utf8').trim();
    const tick = statMs(`/proc/self/task/${id}/stat`);
    byName[name] = (byName[name] ?? 0) + tick(14) + tick(15);
  }
  return byName;
}

function peakRssKiB() {
  const status = readFileSync('/proc/self/status', 'utf8');
  return Number(/^VmHWM:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

if (out !== undefined) {
  /** @type {number | undefined} */
  let childrenBeforeBuilds;
  /** @type {number | undefined} */
  let selfAtFirstBuild;
  /** @type {number | undefined} */
  let selfAtLastBuild;
  /** @type {string[]} */
  const spawned = [];
  /** When each was started, in milliseconds since the process started. @type {number[]} */
  const spawnedAt = [];
  const prototype = /** @type {any} */ (ChildProcess.prototype);
  const original = prototype.spawn;
  prototype.spawn = function spawn(/** @type {{ file: string, args?: string[] }} */ options) {
    const args = (options.args ?? []).slice(1);
    const name = String(options.file).split('/').pop() ?? '';
    spawned.push(`${name} ${args[0] ?? ''}`.trim());
    spawnedAt.push(Math.round(performance.now()));
    if (name === 'kustomize' && args[0] === 'build') {
      const now = cpuTimes();
      childrenBeforeBuilds ??= now.children;
      selfAtFirstBuild ??= now.self;
      selfAtLastBuild = now.self;
    }
    return original.call(this, options);
  };
  process.on('exit', () => {
    const { self, children } = cpuTimes();
    const probe = {
      selfCpuMs: self,
      childrenCpuMs: children,
      buildsCpuMs: children - (childrenBeforeBuilds ?? children),
      selfCpuAtFirstBuildMs: selfAtFirstBuild,
      selfCpuAtLastBuildMs: selfAtLastBuild,
      peakRssKiB: peakRssKiB(),
      threadCpuMs: threadCpu(),
      spawned,
      spawnedAtMs: spawnedAt,
      exitAtMs: Math.round(performance.now()),
    };
    writeFileSync(out, JSON.stringify(probe));
  });
}
