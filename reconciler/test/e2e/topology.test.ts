/**
 * Many Applications: two reading one repository fetch it once; `dependsOn` orders them; and two
 * reconcilers elect one leader, the other taking over when it goes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import {
  adminKube,
  configMap,
  createApplication,
  installCrd,
  readyOf,
  startTestGit,
  startTestReconciler,
  type TestGit,
  waitForApplication,
} from './support.ts';

const env = localEnv();
const kube = () => adminKube(env());

describe('Applications sharing a repository', () => {
  let git: TestGit;
  let namespace: string;
  let running: Awaited<ReturnType<typeof startTestReconciler>>;

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('shared');
  });
  after(async () => {
    await running?.stop();
    await git?.stop();
  });

  test('fetch it once for both, and dependsOn waits for the dependency to be Ready', async () => {
    const repo = await git.repo('team/mono');
    await repo.commit(
      {
        'base/db.yaml': configMap('db', { role: 'database' }),
        'web/web.yaml': configMap('web', { role: 'frontend' }),
      },
      'two apps',
    );
    const credentials = { username: git.username, password: git.password };
    await createApplication(
      kube(),
      namespace,
      'web',
      { source: { url: repo.url, path: 'web' }, dependsOn: [{ name: 'db' }] },
      credentials,
    );
    await createApplication(
      kube(),
      namespace,
      'db',
      { source: { url: repo.url, path: 'base' } },
      credentials,
    );
    git.server.clearRequests();
    running = await startTestReconciler(env(), namespace);
    const db = await waitForApplication(
      kube(),
      namespace,
      'db',
      'db Ready',
      (a) => readyOf(a)?.status === 'True',
    );
    const web = await waitForApplication(
      kube(),
      namespace,
      'web',
      'web Ready',
      (a) => readyOf(a)?.status === 'True',
    );
    // Fetches are counted by the store; the server sees one upload-pack round trip per remote
    // check (ls-remote) and one per fetch, so it must have seen exactly checks + 1.
    const sources = await running.reconciler.metrics.sourceFetches.get();
    const count = (result: string) =>
      sources.values.find((v) => v.labels.result === result)?.value ?? 0;
    assert.equal(count('fetched'), 1, 'one fetch for both Applications');
    const roundTrips = git.server
      .requests()
      .filter((r) => r.service === 'git-upload-pack' && r.phase === 'rpc' && r.status === 200);
    assert.equal(roundTrips.length, count('checked') + 1, JSON.stringify(git.server.requests()));
    const readyAt = (app: typeof db) =>
      Date.parse(app.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime ?? '');
    const webStarted = Date.parse(web.status?.history?.at(-1)?.startedAt ?? '');
    assert.ok(webStarted >= readyAt(db), 'web started applying only after db was Ready');
    assert.equal(web.status?.lastAppliedRevision, db.status?.lastAppliedRevision);
  });
});

describe('two reconcilers with leader election', () => {
  let git: TestGit;
  let namespace: string;
  const instances: Awaited<ReturnType<typeof startTestReconciler>>[] = [];

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
    namespace = await env().createNamespace('leader');
  });
  after(async () => {
    for (const instance of instances) await instance.stop().catch(() => undefined);
    await git?.stop();
  });

  test('only the leader reconciles and the other takes over when it stops', async () => {
    const election = (identity: string) => ({ leaderElection: { namespace, identity } });
    instances.push(await startTestReconciler(env(), namespace, election('first')));
    instances.push(await startTestReconciler(env(), namespace, election('second')));
    const [first, second] = instances as [(typeof instances)[0], (typeof instances)[0]];
    await waitFor(
      'one leader',
      async () =>
        Boolean(first.reconciler.controller()) !== Boolean(second.reconciler.controller()),
      { timeoutMs: 30_000 },
    );
    const leader = first.reconciler.controller() ? first : second;
    const standby = leader === first ? second : first;

    const repo = await git.repo('team/leader');
    await repo.commit({ 'a.yaml': configMap('a', { v: '1' }) }, 'one');
    const credentials = { username: git.username, password: git.password };
    await createApplication(kube(), namespace, 'app', { source: { url: repo.url } }, credentials);
    await waitForApplication(
      kube(),
      namespace,
      'app',
      'Ready under the first leader',
      (a) => readyOf(a)?.status === 'True',
    );
    assert.equal(standby.reconciler.controller(), undefined, 'the standby does not reconcile');

    await leader.stop();
    instances.splice(instances.indexOf(leader), 1);
    await waitFor(
      'the standby to lead',
      async () => standby.reconciler.controller() !== undefined,
      { timeoutMs: 30_000 },
    );
    const commit = await repo.commit({ 'a.yaml': configMap('a', { v: '2' }) }, 'two');
    await waitForApplication(
      kube(),
      namespace,
      'app',
      'the new leader to apply the next commit',
      (a) => a.status?.lastAppliedRevision === `main@sha1:${commit}`,
      40_000,
    );
  });
});
