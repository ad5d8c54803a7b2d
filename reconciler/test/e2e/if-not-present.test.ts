/**
 * An object annotated `kustodian.dev/apply: IfNotPresent`, end to end: edited by hand, it is
 * left as edited (no drift revert, no refresh), while an edit of a declared object beside it is
 * reverted.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const run = promisify(execFile);

const filledByHand = `apiVersion: v1
kind: ConfigMap
metadata:
  name: filled-by-hand
  annotations:
    kustodian.dev/apply: IfNotPresent
data:
  mode: placeholder
`;

describe('an object applied IfNotPresent', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  const kube = () => adminKube(env());
  const modeOf = async (name: string) => {
    const live = await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });
    return (live?.data as Record<string, string> | undefined)?.mode;
  };
  const editByHand = (name: string, mode: string) =>
    run('kubectl', [
      '--kubeconfig',
      env().kubeconfig,
      '-n',
      namespace,
      'patch',
      'configmap',
      name,
      '--type=merge',
      '-p',
      JSON.stringify({ data: { mode } }),
    ]);

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('once');
    running = await startTestReconciler(env(), namespace);
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('keeps a hand edit, and does not count it as drift, while a declared object is reverted', async () => {
    const repo = await git.repo('team/once');
    await repo.commit(
      {
        'app/filled-by-hand.yaml': filledByHand,
        'app/declared.yaml': configMap('declared', { mode: 'fast' }),
      },
      'first',
    );
    await createApplication(
      kube(),
      namespace,
      'once',
      { source: { url: repo.url, path: 'app' } },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'once');
    // The drift watch starts after the reconcile and first reads its objects as a baseline.
    await new Promise((resolve) => setTimeout(resolve, 2000));

    await editByHand('filled-by-hand', 'the real value');
    await editByHand('declared', 'slow');
    const driftLines = () =>
      running.logs.lines
        .filter((line) => typeof line.drift === 'string')
        .map((line) => String(line.drift));
    // The declared object's edit comes second: once it is reported, the first would have been.
    await waitFor('the declared edit to be reported as drift', async () =>
      driftLines().some((drift) => drift.includes('/declared changed by')),
    );
    await waitFor(
      'the declared object to be reverted',
      async () => (await modeOf('declared')) === 'fast',
      {
        timeoutMs: 30_000,
      },
    );
    assert.equal(await modeOf('filled-by-hand'), 'the real value');
    assert.deepEqual(
      driftLines().filter((drift) => drift.includes('filled-by-hand')),
      [],
      'the hand edit is not drift',
    );
  });
});
