/**
 * What the bundled action prints and sets once the outcome is decided, run as a GitHub runner
 * runs it: annotations that name a file only where GitHub can resolve it, and a job summary or
 * output file that cannot be written.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { bareConfigRepo, commitsOf, git, runAction, tempDir } from '../helpers.ts';

const staging = 'apps/web/overlays/staging/kustomization.yaml';
const remoteStaging = [
  'apiVersion: kustomize.config.k8s.io/v1beta1',
  'kind: Kustomization',
  '',
  'resources:',
  '  - ../../base',
  '  - https://github.com/acme/shared//deploy?ref=v1',
  '',
].join('\n');
const remoteMessage =
  'build apps/web/overlays/staging: apps/web/overlays/staging/kustomization.yaml resources[1] "https://github.com/acme/shared//deploy": remote resources are not allowed: https://github.com/acme/shared//deploy in apps/web/overlays/staging/kustomization.yaml would fetch content from github.com; to allow it set `allow-remote: github.com` in the Action inputs';

/** The annotation lines of a run's output. */
function annotations(stdout: string): string[] {
  return stdout.split('\n').filter((line) => /^::(error|warning)[ :]/.test(line));
}

describe('the bundled action reports', () => {
  let dir = '';
  let cleanup = async () => {};
  before(async () => {
    ({ dir, cleanup } = await tempDir('report'));
  });
  after(() => cleanup());

  it('annotates a file and line of the workflow repository when it is the config repository at GITHUB_SHA', async () => {
    const seed = join(dir, 'own');
    await bareConfigRepo(seed, { [staging]: remoteStaging });
    const bare = join(dir, 'server/acme/config.git');
    await git(['clone', '-q', '--bare', join(seed, 'origin.git'), bare]);
    const [head = ''] = await commitsOf(bare);
    const env = {
      GITHUB_SERVER_URL: `file://${join(dir, 'server')}`,
      GITHUB_REPOSITORY: 'acme/config',
      GITHUB_SHA: head,
    };
    const run = await runAction({ inputs: { repository: 'acme/config', commit: 'none' }, env });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.deepEqual(annotations(run.stdout).slice(0, 1), [
      `::error title=kustodian jail,file=${staging},line=6::${remoteMessage}`,
    ]);
    const elsewhere = await runAction({
      inputs: { repository: 'acme/config', commit: 'none' },
      env: { ...env, GITHUB_SHA: 'f'.repeat(40) },
    });
    assert.deepEqual(annotations(elsewhere.stdout).slice(0, 1), [
      `::error title=kustodian jail::${staging}:6: ${remoteMessage}`,
    ]);
  });

  it('puts the file and line in the message when the config repository is another one', async () => {
    const other = join(dir, 'other');
    const url = await bareConfigRepo(other, { [staging]: remoteStaging });
    const run = await runAction({ inputs: { repository: url, commit: 'none' } });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.deepEqual(annotations(run.stdout).slice(0, 1), [
      `::error title=kustodian jail::${staging}:6: ${remoteMessage}`,
    ]);
    assert.doesNotMatch(run.stdout, /file=/);
  });

  it('names the paths of a failed build relative to the repository, never the temporary checkout', async () => {
    const broken = join(dir, 'broken');
    const url = await bareConfigRepo(broken, {
      [staging]: 'resources:\n  - ../../base\n  - ../../missing-base\n',
    });
    const run = await runAction({ inputs: { repository: url, commit: 'none' } });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const [annotation = ''] = annotations(run.stdout);
    assert.match(annotation, /kustomize exited 1: .*apps\/web\/missing-base/);
    for (const text of [run.stdout, run.summary]) {
      assert.doesNotMatch(text, /kustodian-runner-|\/repo\/apps\//, text);
    }
  });

  it('puts a refused downgrade on the line of its tag', async () => {
    const downgrade = join(dir, 'downgrade');
    const url = await bareConfigRepo(downgrade);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.4.0', commit: 'push' },
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.deepEqual(annotations(run.stdout).slice(0, 2), [
      '::error title=kustodian bump::apps/web/overlays/production/kustomization.yaml:19: refusing to downgrade ghcr.io/acme/web from 1.4.1 to 1.4.0; set allow-downgrade: true to allow it',
      `::error title=kustodian bump::${staging}:11: refusing to downgrade ghcr.io/acme/web from 1.4.2 to 1.4.0; set allow-downgrade: true to allow it`,
    ]);
  });

  it('succeeds with a warning when the job summary cannot be written after a commit landed', async () => {
    const landed = join(dir, 'landed');
    const url = await bareConfigRepo(landed);
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      env: { GITHUB_STEP_SUMMARY: '' },
    });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const commits = await commitsOf(join(landed, 'origin.git'));
    assert.equal(commits.length, 2);
    assert.equal(run.outputs['commit-sha'], commits[0]);
    assert.equal(run.outputs.changed, 'true');
    assert.deepEqual(annotations(run.stdout), [
      '::warning title=kustodian report::summary: cannot write the job summary: Unable to find environment variable for $GITHUB_STEP_SUMMARY. Check if your runtime environment supports job summaries.; the outcome and every problem are in this log',
    ]);
  });

  it('fails, saying the commit landed, when the outputs cannot be written', async () => {
    const landed = join(dir, 'no-outputs');
    const url = await bareConfigRepo(landed);
    const missing = join(dir, 'missing/output');
    const run = await runAction({
      inputs: { repository: url, images: 'ghcr.io/acme/web=1.5.0', commit: 'push' },
      env: { GITHUB_OUTPUT: missing },
    });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const [head = ''] = await commitsOf(join(landed, 'origin.git'));
    assert.match(
      run.stdout,
      new RegExp(
        `::error title=kustodian report::outputs: cannot write the step outputs \\(GITHUB_OUTPUT\\): Missing file at path: ${missing}; .* The run itself ended: committed ${head.slice(0, 12)}\\n`,
      ),
    );
  });
});
