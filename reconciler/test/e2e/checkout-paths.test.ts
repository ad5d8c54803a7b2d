/**
 * A failed build's condition names paths relative to the repository: kustomize prints the
 * absolute paths of the checkout (`.../checkouts/<hash>/<sha>/apps/x`), which mean nothing to
 * whoever reads the Application.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import {
  adminKube,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
} from './support.ts';

const env = localEnv();

describe('an Application whose overlay does not build', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('paths');
    const repo = await git.repo('team/broken');
    running = await startTestReconciler(env(), namespace);
    await repo.commit(
      { 'apps/web/kustomization.yaml': 'resources:\n  - ../missing-base\n' },
      'a base that is not there',
    );
    await createApplication(
      kube(),
      namespace,
      'broken',
      { source: { url: repo.url, path: 'apps/web' } },
      { username: git.username, password: git.password },
    );
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('reports the kustomize failure with paths relative to the repository root', async () => {
    const app = await waitForApplication(
      kube(),
      namespace,
      'broken',
      'BuildFailed',
      (a) => readyOf(a)?.reason === 'BuildFailed',
      40_000,
    );
    const message = readyOf(app)?.message ?? '';
    assert.match(message, /apps\/missing-base/);
    assert.doesNotMatch(message, /checkouts|\/tmp\/|\/work\//, message);
    const everything = JSON.stringify(app.status);
    assert.doesNotMatch(everything, /checkouts\//, 'no condition names the checkout');
  });
});
