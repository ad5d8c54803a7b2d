/**
 * Remote bases in an Application's overlay: refused unless `spec.allowRemote` names the host
 * (nothing is pruned after the refused render), and fetched over HTTPS from the local git
 * server when it does, with the CA given to the reconciler as its network environment.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();

describe('an Application whose overlay uses a remote base', () => {
  let git: TestGit;
  let remoteGit: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;
  let remote = '';
  let host = '';
  const kube = () => adminKube(env());
  const credentials = () => ({ username: git.username, password: git.password });
  const getConfigMap = (name: string) =>
    kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name });

  before(async () => {
    git = await startTestGit();
    // The shared base lives on another server, over HTTPS, public (no credentials to fetch).
    remoteGit = await startTestGit({ https: true, anonymousRead: true });
    host = new URL(remoteGit.server.url).host;
    const shared = await remoteGit.repo('acme/shared');
    await shared.commit({
      'base/kustomization.yaml': 'resources:\n  - shared.yaml\n',
      'base/shared.yaml': configMap('shared', { from: 'remote' }),
    });
    remote = `${remoteGit.server.url}/acme/shared.git//base?ref=main`;
    await installCrd(kube());
    namespace = await env().createNamespace('remote');
    running = await startTestReconciler(env(), namespace, {
      networkEnv: { GIT_SSL_CAINFO: remoteGit.caFile ?? '' },
    });
    repo = await git.repo('team/remote');
    await repo.commit({
      'deploy/kustomization.yaml': 'resources:\n  - local.yaml\n',
      'deploy/local.yaml': configMap('local', { from: 'repository' }),
    });
    await createApplication(
      kube(),
      namespace,
      'remote',
      { source: { url: repo.url, path: 'deploy' } },
      credentials(),
    );
    await waitUntilReady(kube(), namespace, 'remote');
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
    await remoteGit?.stop();
  });

  test('is refused without spec.allowRemote, naming it, and nothing is pruned', async () => {
    const revision = await repo.commit({
      'deploy/kustomization.yaml': `resources:\n  - ${remote}\n`,
      'deploy/local.yaml': null,
    });
    const app = await waitForApplication(
      kube(),
      namespace,
      'remote',
      'refused',
      (a) =>
        readyOf(a)?.status === 'False' &&
        a.status?.lastAttemptedRevision?.endsWith(revision) === true,
    );
    const ready = readyOf(app);
    assert.equal(ready?.reason, 'BuildFailed');
    assert.ok(
      ready?.message.includes(
        `remote resources are not allowed: https://${host}/acme/shared.git//base in deploy/kustomization.yaml would fetch content from ${host}; to allow it set \`spec.allowRemote: [${host}]\` on the Application`,
      ),
      ready?.message,
    );
    assert.ok(await getConfigMap('local'), 'the last applied objects stay');
    assert.equal(app.status?.inventory?.entries.length, 1, 'the inventory is kept');
    assert.equal(await getConfigMap('shared'), undefined, 'nothing was fetched');
  });

  test('syncs the remote base when spec.allowRemote names the host', async () => {
    await createApplication(
      kube(),
      namespace,
      'remote',
      { source: { url: repo.url, path: 'deploy' }, allowRemote: ['127.0.0.1'] },
      credentials(),
    );
    await waitForApplication(kube(), namespace, 'remote', 'synced with the remote base', (a) => {
      const ids = a.status?.inventory?.entries.map((e) => e.id) ?? [];
      return readyOf(a)?.status === 'True' && ids.some((id) => id.endsWith('/shared'));
    });
    const shared = await getConfigMap('shared');
    assert.equal((shared?.data as Record<string, string> | undefined)?.from, 'remote');
    assert.equal(
      await getConfigMap('local'),
      undefined,
      'the object the overlay dropped is pruned',
    );
  });
});
