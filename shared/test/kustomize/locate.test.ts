import assert from 'node:assert/strict';
import { chmod } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { versions } from '../../../test/env/binaries.ts';
import { StepError } from '../../src/errors.ts';
import { execaRunner } from '../../src/exec.ts';
import {
  findKustomize,
  findOnPath,
  kustomizeCommandFor,
  kustomizeVersion,
  locateKustomize,
} from '../../src/kustomize/locate.ts';
import {
  parseKubectlKustomizeVersion,
  parseKustomizeVersion,
} from '../../src/kustomize/version.ts';
import { kustomizeBinary, type TempTree, tempTree } from './tree.ts';

describe('parsing kustomize versions', () => {
  it('reads the plain v5 form and the older struct forms', () => {
    assert.equal(parseKustomizeVersion('v5.8.2\n'), 'v5.8.2');
    const v4 =
      '{Version:kustomize/v4.5.7 GitCommit:56d82a8378dfc8dc3b3b1085e5a6e67b82966bd7 BuildDate:2022-08-02T16:35:54Z GoOs:linux GoArch:amd64}';
    assert.equal(parseKustomizeVersion(v4), 'v4.5.7');
    const v3 =
      'Version: {KustomizeVersion:3.5.4 GitCommit:3af514fa9f85430f0c1557c4a0291e62112ab026 BuildDate:2020-01-11T03:12:59Z}';
    assert.equal(parseKustomizeVersion(v3), 'v3.5.4');
    assert.equal(parseKustomizeVersion('v5.0.0-rc.1'), 'v5.0.0-rc.1');
  });

  it('finds no version in a development build', () => {
    assert.equal(parseKustomizeVersion('(devel)\n'), undefined);
  });

  it('reads kustomizeVersion from kubectl JSON and nothing from anything else', () => {
    const json = JSON.stringify({
      clientVersion: { gitVersion: 'v1.32.4' },
      kustomizeVersion: 'v5.5.0',
    });
    assert.equal(parseKubectlKustomizeVersion(json), 'v5.5.0');
    assert.equal(parseKubectlKustomizeVersion(JSON.stringify({ clientVersion: {} })), undefined);
    assert.equal(parseKubectlKustomizeVersion('Client Version: v1.32.4'), undefined);
  });
});

describe('finding kustomize on a PATH', () => {
  let tree: TempTree;
  const dir = (name: string) => join(tree.root, name);

  before(async () => {
    tree = await tempTree({
      'only-kubectl/kubectl':
        '#!/bin/sh\n[ "$*" = "version --client -o json" ] || exit 3\necho \'{"kustomizeVersion":"v5.4.2"}\'\n',
      'only-kustomize/kustomize': '#!/bin/sh\necho v9.9.9\n',
      'not-executable/kustomize': 'plain data',
    });
    await chmod(join(tree.root, 'only-kubectl/kubectl'), 0o755);
    await chmod(join(tree.root, 'only-kustomize/kustomize'), 0o755);
  });
  after(() => tree.cleanup());

  it('prefers kustomize anywhere on PATH over kubectl', async () => {
    const pathEnv = [dir('only-kubectl'), dir('only-kustomize')].join(delimiter);
    const command = await findKustomize({ pathEnv });
    assert.deepEqual(command, {
      file: join(dir('only-kustomize'), 'kustomize'),
      argsPrefix: ['build'],
      tool: 'kustomize',
    });
  });

  it('falls back to kubectl kustomize and skips files that are not executable', async () => {
    const pathEnv = [dir('not-executable'), dir('only-kubectl')].join(delimiter);
    const command = await findKustomize({ pathEnv });
    assert.deepEqual(command, {
      file: join(dir('only-kubectl'), 'kubectl'),
      argsPrefix: ['kustomize'],
      tool: 'kubectl',
    });
  });

  it('uses an explicit path before searching', async () => {
    const explicitPath = join(dir('only-kubectl'), 'kubectl');
    const command = await findKustomize({ explicitPath, pathEnv: dir('only-kustomize') });
    assert.equal(command.file, explicitPath);
    assert.equal(command.tool, 'kubectl');
  });

  it('ignores empty and relative PATH entries, which would search the checkout', async () => {
    const seen: string[] = [];
    const isExecutable = async (path: string) => {
      seen.push(path);
      return false;
    };
    assert.equal(
      await findOnPath(
        'kustomize',
        ['', 'bin', '.', '/usr/local/bin'].join(delimiter),
        isExecutable,
      ),
      undefined,
    );
    assert.deepEqual(seen, ['/usr/local/bin/kustomize']);
  });

  it('says how to install kustomize when there is none', async () => {
    await assert.rejects(findKustomize({ pathEnv: dir('not-executable') }), (error: unknown) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, 'locate');
      assert.equal(error.object, 'kustomize');
      assert.match(error.message, /neither kustomize nor kubectl is on PATH/);
      assert.match(error.message, /go install sigs\.k8s\.io\/kustomize\/kustomize\/v5@latest/);
      assert.match(error.message, /releases/);
      assert.match(error.message, /kubectl kustomize/);
      return true;
    });
    const explicitPath = join(dir('not-executable'), 'kustomize');
    await assert.rejects(
      findKustomize({ explicitPath, pathEnv: '' }),
      /is not an executable file; install kustomize/,
    );
  });

  it('asks kubectl for the kustomize version it bundles', async () => {
    const command = kustomizeCommandFor(join(dir('only-kubectl'), 'kubectl'));
    assert.equal(await kustomizeVersion(command, execaRunner), 'v5.4.2');
  });
});

describe('the pinned kustomize binary', () => {
  it('reports the version it runs', async () => {
    const binary = await kustomizeBinary();
    const located = await locateKustomize({ pathEnv: dirname(binary), runCommand: execaRunner });
    assert.equal(located.command.file, binary);
    assert.equal(located.command.tool, 'kustomize');
    assert.equal(located.version, versions.kustomize);
  });
});
