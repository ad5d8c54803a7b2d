/**
 * `npm run env:up` and `npm run env:down`.
 *
 * `up` builds the binaries if needed, starts the local environment in the background and prints,
 * as the last line of its output, one JSON object with `kubeconfig`, `gitUrl`, `gitUsername`,
 * `gitPassword` and `kustomize`. `down` stops it and leaves no process or directory behind.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { daemonLog, isAlive, readState, stateDir, stateFile } from './state.ts';

const here = dirname(fileURLToPath(import.meta.url));

async function up(): Promise<number> {
  const running = await readState();
  if (running) {
    console.log('the local environment is already running');
    console.log(JSON.stringify(running.info));
    return 0;
  }
  const build = spawnSync('bash', [join(here, 'build-binaries.sh')], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (build.status !== 0) return 1;
  await mkdir(stateDir(), { recursive: true });
  await rm(stateFile(), { force: true });
  const log = await open(daemonLog(), 'w');
  const daemon = spawn(process.execPath, [join(here, 'daemon.ts')], {
    detached: true,
    stdio: ['ignore', log.fd, log.fd],
    env: process.env,
  });
  await log.close();
  daemon.unref();
  console.log(
    'starting etcd, kube-apiserver, controller-manager, scheduler, kwok and a git server ...',
  );
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const state = await readState();
    if (state) {
      console.log(`up: logs and data in ${state.dir}`);
      console.log(JSON.stringify(state.info));
      return 0;
    }
    if (daemon.pid === undefined || !isAlive(daemon.pid)) break;
    await sleep(250);
  }
  console.error(`env:up failed; daemon log ${daemonLog()}:`);
  console.error(
    (await readFile(daemonLog(), 'utf8').catch(() => '')).split('\n').slice(-40).join('\n'),
  );
  if (daemon.pid !== undefined && isAlive(daemon.pid)) process.kill(daemon.pid, 'SIGTERM');
  return 1;
}

async function down(): Promise<number> {
  const state = await readState();
  if (!state) {
    await rm(stateFile(), { force: true });
    console.log('the local environment is not running');
    return 0;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (isAlive(state.pid) && Date.now() < deadline) await sleep(200);
  if (isAlive(state.pid)) {
    console.error(`env:down: process ${state.pid} did not stop within 60 s`);
    return 1;
  }
  console.log('stopped');
  return 0;
}

const command = process.argv[2];
const code = command === 'up' ? await up() : command === 'down' ? await down() : usage();
process.exitCode = code;

function usage(): number {
  console.error('usage: node test/env/cli.ts up|down');
  return 2;
}
