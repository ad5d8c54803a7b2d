/**
 * The GitHub push webhook behind a Service that selects both replicas: a push is acted on
 * whichever replica it reaches. The leader refreshes at once; the standby asks the leader
 * through the Application's `kustodian.dev/requested-at` annotation. Real API server, real git.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { requestedAtAnnotation } from '../../src/api/application.ts';
import { signBody } from '../../src/server/github.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readApplication,
  startTestGit,
  startTestReconciler,
  type TestGit,
  type WorkRepo,
  waitForApplication,
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const secret = 'e2e-webhook-secret';

type Running = Awaited<ReturnType<typeof startTestReconciler>>;

/** Sends GitHub's push of `url`'s main branch, signed, to a replica's webhook. */
async function sendPush(to: Running, url: string): Promise<{ status: number; body: string }> {
  const listener = to.reconciler.server.listeners.find((l) => l.routes.includes('webhook'));
  assert.ok(listener, 'the webhook listens');
  const body = JSON.stringify({
    ref: 'refs/heads/main',
    after: '0'.repeat(40),
    repository: { clone_url: url },
  });
  const response = await fetch(`${listener.url}/hooks/github`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-GitHub-Event': 'push',
      'X-GitHub-Delivery': 'e2e',
      'X-Hub-Signature-256': signBody(secret, body),
    },
    body,
  });
  return { status: response.status, body: await response.text() };
}

describe('a push to the webhook of either replica', () => {
  let git: TestGit;
  let repo: WorkRepo;
  let namespace: string;
  let leader: Running;
  let standby: Running;
  const instances: Running[] = [];
  const kube = () => adminKube(env());

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('webhook');
    const replica = async (identity: string) => {
      const running = await startTestReconciler(env(), namespace, {
        leaderElection: { namespace, identity },
        webhookSecret: secret,
      });
      instances.push(running);
      return running;
    };
    const [first, second] = [await replica('first'), await replica('second')];
    await waitFor(
      'one leader',
      async () =>
        Boolean(first.reconciler.controller()) !== Boolean(second.reconciler.controller()),
      { timeoutMs: 30_000 },
    );
    [leader, standby] = first.reconciler.controller() ? [first, second] : [second, first];
    repo = await git.repo('team/webhook');
    await repo.commit({ 'a.yaml': configMap('a', { v: '1' }) }, 'one');
    // Checked for new commits only every ten minutes: the push is what brings the next one.
    await createApplication(
      kube(),
      namespace,
      'app',
      { source: { url: repo.url }, interval: '10m' },
      { username: git.username, password: git.password },
    );
    await waitUntilReady(kube(), namespace, 'app');
  });
  after(async () => {
    for (const instance of instances) await instance.stop();
    await git?.stop();
  });

  test('on the standby, asks the leader to refresh, and the leader applies the new commit', async () => {
    const commit = await repo.commit({ 'a.yaml': configMap('a', { v: '2' }) }, 'two');
    assert.equal(standby.reconciler.controller(), undefined, 'the standby does not reconcile');
    const answer = await sendPush(standby, repo.url);
    assert.deepEqual(answer, {
      status: 202,
      body: 'refresh requested of the leader for 1 Application(s)\n',
    });
    const app = await waitForApplication(
      kube(),
      namespace,
      'app',
      'the leader to apply the pushed commit',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      30_000,
    );
    const requested = (app.metadata.annotations as Record<string, string>)[requestedAtAnnotation];
    assert.ok(requested, 'the standby set the annotation');
    assert.equal(app.status?.lastHandledRequestedAt, requested);
  });

  test('on the leader, refreshes at once', async () => {
    const before = (await readApplication(kube(), namespace, 'app')).metadata.annotations;
    const commit = await repo.commit({ 'a.yaml': configMap('a', { v: '3' }) }, 'three');
    const answer = await sendPush(leader, repo.url);
    assert.deepEqual(answer, { status: 202, body: 'refresh triggered for 1 Application(s)\n' });
    const app = await waitForApplication(
      kube(),
      namespace,
      'app',
      'the leader to apply the pushed commit',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      30_000,
    );
    assert.deepEqual(app.metadata.annotations, before, 'no write was needed');
  });
});
