import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { promisify } from 'node:util';
import { isAlive } from '../env/state.ts';

const run = promisify(execFile);
const stateDir = await mkdtemp(join(tmpdir(), 'kustodian-env-cli-'));
after(() => rm(stateDir, { recursive: true, force: true }));

const cli = (command: 'up' | 'down') =>
  run(process.execPath, ['test/env/cli.ts', command], {
    env: { ...process.env, KUSTODIAN_ENV_STATE_DIR: stateDir },
    timeout: 240_000,
  });

async function processesMentioning(text: string): Promise<string[]> {
  const { stdout } = await run('ps', ['-eo', 'pid,args']);
  return stdout.split('\n').filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

test('env:up prints its connection info last and env:down leaves no process or directory behind', async () => {
  const up = await cli('up');
  const lines = up.stdout.trim().split('\n');
  const info = JSON.parse(lines.at(-1) ?? '') as Record<string, string>;
  for (const key of ['kubeconfig', 'gitUrl', 'gitUsername', 'gitPassword', 'kustomize']) {
    assert.equal(typeof info[key], 'string', `${key} is in the JSON`);
  }

  const kubeconfig = info.kubeconfig ?? '';
  const version = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', '--raw', '/version']);
  assert.match(JSON.parse(version.stdout).gitVersion, /^v1\.\d+\.\d+$/);
  const nodes = await run('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '--no-headers']);
  assert.match(nodes.stdout, /kwok-node-0\s+Ready/);

  const state = JSON.parse(await readFile(join(stateDir, 'env-state.json'), 'utf8')) as {
    pid: number;
    dir: string;
  };
  assert.ok(isAlive(state.pid));
  assert.ok(
    (await processesMentioning(state.dir)).length >= 5,
    'etcd, apiserver, kcm, scheduler and kwok run from the env dir',
  );

  await cli('down');
  assert.equal(isAlive(state.pid), false);
  assert.deepEqual(await processesMentioning(state.dir), []);
  await assert.rejects(access(state.dir), 'the environment directory is removed');
  await assert.rejects(access(join(stateDir, 'env-state.json')), 'the state file is removed');
});
