/**
 * `npm test`: every test of the project in one run.
 *
 * 1. Build (or find cached) the local environment's binaries.
 * 2. Start one local environment: etcd, kube-apiserver, controller-manager, scheduler, kwok with
 *    fake nodes, a git server and kustomize.
 * 3. Run every `*.test.ts` with Node's test runner, the environment's info in KUSTODIAN_TEST_ENV.
 * 4. Stop the environment, whatever happened.
 *
 * `npm test -- <files>` runs only the given test files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { glob, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathWithPinnedTools } from './env/binaries.ts';
import { testEnvVariable } from './env/for-tests.ts';
import { startLocalEnv } from './env/index.ts';

const patterns = [
  'shared/test/**/*.test.ts',
  'action/test/**/*.test.ts',
  'reconciler/test/**/*.test.ts',
  'test/integration/**/*.test.ts',
  'test/github-emulator/**/*.test.ts',
  'test/e2e/**/*.test.ts',
  'query/test/**/*.test.ts',
  'cli/test/**/*.test.ts',
  'dashboard/test/**/*.test.ts',
];

async function testFiles(): Promise<string[]> {
  const given = process.argv.slice(2);
  if (given.length > 0) return given;
  const files: string[] = [];
  for (const pattern of patterns) {
    for await (const file of glob(pattern, { exclude: (name) => name.includes('node_modules') }))
      files.push(file);
  }
  return files.sort();
}

function step(text: string): void {
  console.log(`\n==> ${text}`);
}

step('building the local environment binaries (cached by version)');
const build = spawnSync('bash', ['test/env/build-binaries.sh'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('building the binaries failed');
  process.exit(1);
}

step('checking the browser of the dashboard tests');
const browser = spawnSync('bash', ['test/env/install-chromium.sh'], { stdio: 'inherit' });
if (browser.status !== 0) {
  console.error('installing chromium failed');
  process.exit(1);
}

step('starting the local environment');
const started = Date.now();
const env = await startLocalEnv();
console.log(
  `up in ${((Date.now() - started) / 1000).toFixed(1)} s: API server ${env.controlPlane.server}, git ${env.info.gitUrl}`,
);
const infoFile = join(env.dir, 'test-env.json');
await writeFile(infoFile, JSON.stringify(env.info));

let code = 1;
try {
  const files = await testFiles();
  step(`running ${files.length} test files`);
  code = await new Promise<number>((resolve) => {
    const child = spawn(
      process.execPath,
      ['--test', '--test-reporter=spec', '--test-concurrency=2', '--test-timeout=600000', ...files],
      {
        stdio: 'inherit',
        env: { ...process.env, PATH: pathWithPinnedTools(), [testEnvVariable]: infoFile },
      },
    );
    child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
  });
} finally {
  step('stopping the local environment');
  await env.stop();
}
process.exit(code);
