import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { StepError } from '../../src/errors.ts';
import { createExecaRunner } from '../../src/exec.ts';
import {
  CommandAbortedError,
  CommandStartError,
  OutputLimitError,
  type RunCommand,
  type RunnerOptions,
} from '../../src/run-command.ts';
import { createSpawnRunner } from '../../src/spawn-runner.ts';

/** Whether a process is gone: no longer listed, or a zombie nobody has reaped yet. */
async function isGone(pid: number): Promise<boolean> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitUntilGone(pid: number, withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    if (await isGone(pid)) return true;
    await new Promise((done) => setTimeout(done, 50));
  }
  return isGone(pid);
}

// Both runners keep one contract; each is held to all of it.
const runners: Record<string, (options?: RunnerOptions) => RunCommand> = {
  execaRunner: createExecaRunner,
  spawnRunner: createSpawnRunner,
};

for (const [name, create] of Object.entries(runners)) {
  describe(name, () => {
    const runCommand = create();
    it('returns a non-zero exit with its output as data', async () => {
      const result = await runCommand('sh', ['-c', 'echo out; echo err >&2; exit 3']);
      assert.deepEqual(result, { exitCode: 3, stdout: 'out\n', stderr: 'err\n', timedOut: false });
    });

    it('passes arguments as argv, never through a shell', async () => {
      const hostile = '$(echo injected); echo also-injected `id` > /dev/null';
      const result = await runCommand('printf', ['%s', hostile]);
      assert.equal(result.stdout, hostile);
    });

    it('gives the process only PATH, HOME and what the caller adds', async () => {
      const run = create({
        baseEnv: () => ({
          PATH: process.env.PATH,
          HOME: '/home/someone',
          GITHUB_TOKEN: 'ghs_secret',
        }),
      });
      const result = await run('env', [], { env: { EXTRA: 'yes' } });
      const names = result.stdout
        .trim()
        .split('\n')
        .map((line) => line.slice(0, line.indexOf('=')))
        .sort();
      assert.deepEqual(names, ['EXTRA', 'HOME', 'PATH']);
      assert.doesNotMatch(result.stdout, /ghs_secret/);
    });

    it('runs in the given directory and writes the input to stdin', async () => {
      assert.equal((await runCommand('pwd', [], { cwd: '/' })).stdout, '/\n');
      assert.equal((await runCommand('cat', [], { input: 'to stdin' })).stdout, 'to stdin');
    });

    it('stops the whole process group when the time limit passes', async () => {
      const started = Date.now();
      // The shell prints the pid of a background sleep, then waits for it.
      const result = await runCommand('sh', ['-c', 'sleep 30 & echo $!; wait'], {
        timeoutMs: 300,
      });
      assert.equal(result.timedOut, true);
      assert.equal(result.exitCode, undefined);
      assert.ok(Date.now() - started < 10_000, 'the run returned long before the sleeps would end');
      const grandchild = Number(result.stdout.trim());
      assert.ok(grandchild > 0, `expected a pid, got ${JSON.stringify(result.stdout)}`);
      assert.equal(
        await waitUntilGone(grandchild, 3_000),
        true,
        `background sleep ${grandchild} still runs`,
      );
    });

    it('reports output beyond the bound as an error naming the stream and the limit', async () => {
      const run = runCommand('head', ['-c', '200000', '/dev/zero'], { maxOutputBytes: 1000 });
      await assert.rejects(run, (error: unknown) => {
        assert.ok(error instanceof OutputLimitError);
        assert.ok(error instanceof StepError);
        assert.equal(error.stream, 'stdout');
        assert.equal(error.limitBytes, 1000);
        assert.match(error.message, /^run head: stdout exceeded the limit of 1000 bytes/);
        return true;
      });
      const noisy = runCommand('sh', ['-c', 'head -c 200000 /dev/zero >&2'], {
        maxOutputBytes: 1000,
      });
      await assert.rejects(
        noisy,
        (error: unknown) => error instanceof OutputLimitError && error.stream === 'stderr',
      );
    });

    it('keeps output that fits the bound exactly', async () => {
      const result = await runCommand('head', ['-c', '1000', '/dev/zero'], {
        maxOutputBytes: 1000,
      });
      assert.equal(result.stdout.length, 1000);
    });

    it('throws a StepError when the program cannot be started', async () => {
      await assert.rejects(runCommand('kustodian-no-such-program', ['x']), (error: unknown) => {
        assert.ok(error instanceof CommandStartError);
        assert.equal(error.code, 'ENOENT');
        assert.equal(
          error.message,
          'run kustodian-no-such-program: could not start: not found (ENOENT)',
        );
        return true;
      });
      const dir = await mkdtemp(join(tmpdir(), 'kustodian-exec-'));
      try {
        const notExecutable = join(dir, 'data.txt');
        await writeFile(notExecutable, 'just data', { mode: 0o644 });
        await assert.rejects(
          runCommand(notExecutable, []),
          (error: unknown) => error instanceof CommandStartError && error.code === 'EACCES',
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('stops the process and throws when the caller aborts', async () => {
      const controller = new AbortController();
      const run = runCommand('sleep', ['30'], { signal: controller.signal });
      setTimeout(() => controller.abort(new Error('shutting down')), 100);
      await assert.rejects(run, (error: unknown) => {
        assert.ok(error instanceof CommandAbortedError);
        assert.equal(error.message, 'run sleep: aborted before it finished');
        return true;
      });
    });
  });
}
