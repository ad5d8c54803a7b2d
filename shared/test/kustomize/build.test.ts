import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { CommandStartError, execaRunner, type RunCommand } from '../../src/exec.ts';
import {
  type BuildOverlayOptions,
  buildOverlay,
  buildOverlays,
  KustomizeBuildError,
  parallelBuildEnv,
  tailOf,
} from '../../src/kustomize/build.ts';
import { type KustomizeCommand, kustomizeCommandFor } from '../../src/kustomize/locate.ts';
import { configMap, kustomizeBinary, type TempTree, tempTree, writeTree } from './tree.ts';

const limits = { timeoutMs: 30_000, maxOutputBytes: 16 * 1024 * 1024 };

function names(yaml: string): string[] {
  return parseAllDocuments(yaml).map((doc) => String(doc.getIn(['metadata', 'name'])));
}

describe('buildOverlay with the real kustomize', () => {
  let tree: TempTree;
  let kustomize: KustomizeCommand;
  const options = (overlayDir: string): BuildOverlayOptions => ({
    kustomize,
    overlayDir,
    root: tree.root,
    runCommand: execaRunner,
    ...limits,
  });

  before(async () => {
    kustomize = kustomizeCommandFor(await kustomizeBinary());
    tree = await tempTree({
      'base/kustomization.yaml': 'resources:\n  - config.yaml\n',
      'base/config.yaml': configMap('app'),
      'overlays/prod/kustomization.yaml': 'resources:\n  - ../../base\nnamePrefix: prod-\n',
      'overlays/broken/kustomization.yaml': 'resources:\n  - ../../base\n  - missing.yaml\n',
      'overlays/big/kustomization.yaml': 'resources:\n  - big.yaml\n',
      'overlays/big/big.yaml': configMap('big', { blob: 'x'.repeat(200_000) }),
      'overlays/outside-patch/kustomization.yaml':
        'resources:\n  - ../../base\npatches:\n  - path: ../../shared/patch.yaml\n',
      'shared/patch.yaml':
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\ndata:\n  patched: "yes"\n',
      'overlays/stuck/kustomization.yaml': 'resources:\n  - fifo.yaml\n',
    });
    // kustomize blocks opening a FIFO that nobody writes to: a build that never ends.
    await promisify(execFile)('mkfifo', [join(tree.root, 'overlays/stuck/fifo.yaml')]);
  });
  after(() => tree.cleanup());

  it('builds a good overlay', async () => {
    const built = await buildOverlay(options('overlays/prod'));
    assert.deepEqual(names(built.yaml), ['prod-app']);
    assert.ok(built.durationMs >= 0);
  });

  it('names the overlay and carries kustomize’s complaint when a build fails', async () => {
    await assert.rejects(buildOverlay(options('overlays/broken')), (error: unknown) => {
      assert.ok(error instanceof KustomizeBuildError);
      assert.equal(error.step, 'build');
      assert.equal(error.object, 'overlays/broken');
      assert.equal(error.overlay, 'overlays/broken');
      assert.equal(error.reason, 'exit');
      assert.equal(error.exitCode, 1);
      assert.match(
        error.message,
        /^build overlays\/broken: kustomize exited 1: Error: accumulating resources/,
      );
      assert.match(error.message, /missing\.yaml.*no such file or directory/);
      assert.match(error.stderrTail, /missing\.yaml/);
      return true;
    });
  });

  it('names the paths in kustomize’s complaint relative to the repository, not the checkout', async () => {
    await assert.rejects(buildOverlay(options('overlays/broken')), (error: unknown) => {
      assert.ok(error instanceof KustomizeBuildError);
      assert.ok(!error.message.includes(tree.root), error.message);
      assert.ok(!error.stderrTail.includes(tree.root), error.stderrTail);
      assert.match(error.message, /lstat overlays\/broken\/missing\.yaml: no such file/);
      return true;
    });
  });

  it('reports a build that outlives its time limit as a timeout, with the limit', async () => {
    const started = Date.now();
    await assert.rejects(
      buildOverlay({ ...options('overlays/stuck'), timeoutMs: 500 }),
      (error: unknown) => {
        assert.ok(error instanceof KustomizeBuildError);
        assert.equal(error.reason, 'timeout');
        assert.equal(error.exitCode, undefined);
        assert.equal(
          error.message,
          'build overlays/stuck: kustomize did not finish within 500 ms (timeoutMs) and was stopped',
        );
        return true;
      },
    );
    assert.ok(Date.now() - started < 10_000);
  });

  it('fails a build whose output exceeds the bound instead of cutting it', async () => {
    const bounded = { ...options('overlays/big'), maxOutputBytes: 10_000 };
    await assert.rejects(buildOverlay(bounded), (error: unknown) => {
      assert.ok(error instanceof KustomizeBuildError);
      assert.equal(error.reason, 'output-limit');
      assert.match(
        error.message,
        /^build overlays\/big: kustomize stdout exceeded the limit of 10000 bytes/,
      );
      return true;
    });
    const built = await buildOverlay({ ...bounded, maxOutputBytes: 1_000_000 });
    assert.ok(built.yaml.length > 200_000);
  });

  it('keeps data files inside each kustomization unless the restrictor is none', async () => {
    await assert.rejects(buildOverlay(options('overlays/outside-patch')), (error: unknown) => {
      assert.ok(error instanceof KustomizeBuildError);
      assert.match(error.stderrTail, /security; file .*shared\/patch\.yaml' is not in or below/);
      return true;
    });
    const built = await buildOverlay({
      ...options('overlays/outside-patch'),
      loadRestrictor: 'none',
    });
    assert.match(built.yaml, /patched: "yes"/);
  });

  it('builds many overlays three at a time, in input order, with a failure as data', async () => {
    const overlays = Array.from({ length: 10 }, (_, i) => `many/o${i}`);
    await writeTree(
      tree.root,
      Object.fromEntries(
        overlays.map((dir, i) => [
          `${dir}/kustomization.yaml`,
          i === 6
            ? 'resources:\n  - nowhere.yaml\n'
            : `resources:\n  - ../../base\nnameSuffix: '-${i}'\n`,
        ]),
      ),
    );
    let running = 0;
    let most = 0;
    const counting: RunCommand = async (file, args, runOptions) => {
      running += 1;
      most = Math.max(most, running);
      try {
        return await execaRunner(file, args, runOptions);
      } finally {
        running -= 1;
      }
    };
    const { overlayDir: _, ...shared } = options('unused');
    const results = await buildOverlays(overlays, {
      ...shared,
      runCommand: counting,
      concurrency: 3,
    });
    assert.deepEqual(
      results.map((result) => [result.overlayDir, result.outcome]),
      overlays.map((dir, i) => [dir, i === 6 ? 'failed' : 'built']),
    );
    results.forEach((result, i) => {
      if (result.outcome === 'built') assert.deepEqual(names(result.yaml), [`app-${i}`]);
      else
        assert.match(result.error.message, /^build many\/o6: kustomize exited 1: .*nowhere\.yaml/s);
    });
    assert.ok(most <= 3, `at most 3 builds at once, saw ${most}`);
    assert.ok(most > 1, 'builds ran in parallel');
  });

  it('throws when kustomize cannot start at all, rather than failing every overlay', async () => {
    const missing = kustomizeCommandFor(join(tree.root, 'no-such-kustomize'));
    const { overlayDir: _, ...shared } = options('unused');
    const run = buildOverlays(['overlays/prod', 'base'], {
      ...shared,
      kustomize: missing,
      concurrency: 2,
    });
    await assert.rejects(
      run,
      (error: unknown) => error instanceof CommandStartError && error.code === 'ENOENT',
    );
  });
});

describe('the build command line', () => {
  it('runs kubectl kustomize with the restrictor and never a plugin, exec or Helm flag', async () => {
    const calls: { file: string; args: readonly string[] }[] = [];
    const recording: RunCommand = async (file, args) => {
      calls.push({ file, args });
      return { exitCode: 0, stdout: '', stderr: '', timedOut: false };
    };
    const kubectl = kustomizeCommandFor('/usr/bin/kubectl');
    await buildOverlay({
      kustomize: kubectl,
      overlayDir: 'apps/web',
      root: '/repo',
      runCommand: recording,
      ...limits,
    });
    assert.deepEqual(calls, [
      {
        file: '/usr/bin/kubectl',
        args: ['kustomize', '/repo/apps/web', '--load-restrictor', 'LoadRestrictionsRootOnly'],
      },
    ]);
  });
});

describe('parallelBuildEnv', () => {
  it('gives each of the parallel builds its share of the cores, at least one', () => {
    assert.equal(parallelBuildEnv(4, 2).GOMAXPROCS, '1');
    assert.equal(parallelBuildEnv(4, 4).GOMAXPROCS, '1');
    assert.equal(parallelBuildEnv(4, 16).GOMAXPROCS, '4');
    assert.equal(parallelBuildEnv(1, 8).GOMAXPROCS, '8');
    assert.equal(parallelBuildEnv(0, 2).GOMAXPROCS, '2');
  });

  it('collects less often and caps the heap that makes it collect', () => {
    assert.deepEqual(parallelBuildEnv(2, 2), {
      GOGC: '400',
      GOMEMLIMIT: '512MiB',
      GOMAXPROCS: '1',
    });
  });
});

describe('tailOf', () => {
  it('keeps the last 20 lines and at most 4 KiB', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n');
    assert.equal(
      tailOf(`${lines}\n`),
      Array.from({ length: 20 }, (_, i) => `line ${i + 10}`).join('\n'),
    );
    const long = tailOf('y'.repeat(10_000));
    assert.equal(long, `...${'y'.repeat(4096)}`);
  });
});
