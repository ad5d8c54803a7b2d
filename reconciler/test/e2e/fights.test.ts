/**
 * Fights with other controllers, on the real control plane: a field that another field manager
 * sets back after every revert, by a test controller that keeps setting it and by the real
 * ClusterRole aggregation controller when the reconciler is given no table of fields to leave
 * to it. After a few reverts the reconciler gives the fields up: it says so once (a DriftConflict
 * Warning Event, the metric, the Ready message naming object, fields and manager), stops writing
 * them, and keeps applying and reverting everything else; a new commit tries them again.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { writesBy } from '../../../test/env/audit.ts';
import { reconcilerUserName } from '../../../test/env/control-plane.ts';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import type { Application } from '../../src/api/application.ts';
import { metricNames } from '../../src/metrics.ts';
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
  waitUntilReady,
} from './support.ts';

const env = localEnv();
const run = promisify(execFile);
const quietMs = 30_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('fights with other controllers', () => {
  let git: TestGit;
  const kube = () => adminKube(env());
  const kubectl = (...args: string[]) =>
    run('kubectl', ['--kubeconfig', env().kubeconfig, ...args]);
  const conflictsCounted = async (running: Awaited<ReturnType<typeof startTestReconciler>>) => {
    const text = await running.reconciler.metrics.registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith(`${metricNames.driftConflicts} `));
    return Number(line?.split(' ')[1] ?? 0);
  };
  const conflictEvents = async (namespace: string) =>
    (await kube().list('v1', 'Event', { namespace })).items.filter(
      (event) => event.reason === 'DriftConflict',
    );
  // The Event follows the status write that the Ready message is read from.
  const conflictEventsOnceRecorded = async (namespace: string) => {
    await waitFor(
      'the DriftConflict Event',
      async () => (await conflictEvents(namespace)).length > 0,
    );
    return conflictEvents(namespace);
  };
  const names = (app: Application, ...parts: string[]) =>
    parts.every((part) => readyOf(app)?.message.includes(part));

  before(async () => {
    git = await startTestGit();
    await installCrd(kube());
  });
  after(async () => {
    await git?.stop();
  });

  test('a field a test controller keeps setting back is given up after three reverts, and everything else is still applied', async () => {
    const namespace = await env().createNamespace('fight');
    const running = await startTestReconciler(env(), namespace);
    const stopFighting = new AbortController();
    let fighting = Promise.resolve();
    try {
      const repo = await git.repo('team/fight');
      await repo.commit(
        { 'app/settings.yaml': configMap('settings', { mode: 'git', level: '1' }) },
        'settings',
      );
      await createApplication(
        kube(),
        namespace,
        'web',
        { source: { url: repo.url, path: 'app' } },
        { username: git.username, password: git.password },
      );
      await waitUntilReady(kube(), namespace, 'web');
      const live = async () =>
        ((await kube().get({ apiVersion: 'v1', kind: 'ConfigMap', namespace, name: 'settings' }))
          ?.data ?? {}) as Record<string, string>;

      // A controller that sets `mode` every half second, as one with its own idea of it would.
      fighting = (async () => {
        for (let beat = 0; !stopFighting.signal.aborted; beat++) {
          await kubectl(
            ...['-n', namespace, 'patch', 'configmap', 'settings', '--type=merge'],
            ...['--field-manager=mode-controller'],
            ...['-p', JSON.stringify({ data: { mode: 'controller', beat: String(beat) } })],
          ).catch(() => {});
          await sleep(500);
        }
      })();

      const conflicted = await waitForApplication(
        kube(),
        namespace,
        'web',
        'the conflict in the Ready message',
        (a) =>
          readyOf(a)?.status === 'True' &&
          names(a, 'DriftConflict', 'data.mode', 'mode-controller'),
      );
      assert.match(
        readyOf(conflicted)?.message ?? '',
        /ConfigMap\/.*settings: data\.mode, set back by mode-controller/,
      );
      const events = await conflictEventsOnceRecorded(namespace);
      assert.equal(
        events.length,
        1,
        `one Event for the conflict, got: ${events.map((e) => e.message).join(' | ')}`,
      );
      assert.match(String(events[0]?.message), /data\.mode, set back by mode-controller/);
      assert.equal(events[0]?.type, 'Warning');
      assert.equal(await conflictsCounted(running), 1);

      // Given up: the controller keeps writing, the reconciler writes nothing to the object.
      const since = Date.now();
      await sleep(quietMs);
      const writes = (await writesBy(env().auditLog, reconcilerUserName, since)).filter(
        (w) => w.namespace === namespace && w.resource === 'configmaps' && w.name === 'settings',
      );
      assert.deepEqual(writes, [], 'no revert of a field given up');
      assert.equal((await live()).mode, 'controller');

      // Everything else is still reverted.
      await kubectl(
        '-n',
        namespace,
        'patch',
        'configmap',
        'settings',
        '--type=merge',
        '-p',
        '{"data":{"level":"by-hand"}}',
      );
      await waitFor('level to be set back', async () => (await live()).level === '1', {
        timeoutMs: 30_000,
      });

      // A new commit applies, and tries the field again (the fight resumes and is found again).
      await repo.commit(
        { 'app/settings.yaml': configMap('settings', { mode: 'git', level: '2' }) },
        'level 2',
      );
      await waitFor('level 2 to be applied', async () => (await live()).level === '2', {
        timeoutMs: 60_000,
      });
      await waitForApplication(
        kube(),
        namespace,
        'web',
        'the conflict found again on the new revision',
        (a) =>
          readyOf(a)?.status === 'True' &&
          a.status?.lastAppliedRevision !== conflicted.status?.lastAppliedRevision &&
          names(a, 'DriftConflict', 'data.mode'),
      );
      assert.equal(await conflictsCounted(running), 2);
    } finally {
      stopFighting.abort();
      await fighting;
      await running.stop();
    }
  });

  test('with no fields left to it, the real aggregation controller wins the rules of an aggregated ClusterRole after a few reverts', async () => {
    const namespace = await env().createNamespace('fight-rbac');
    const running = await startTestReconciler(env(), namespace, { yields: new Map() });
    const suffix = randomBytes(3).toString('hex');
    const label = `example.test/fight-${suffix}`;
    const role = `fought-view-${suffix}`;
    const part = `fought-part-${suffix}`;
    const rulesOf = async () =>
      ((
        await kube().get({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          name: role,
        })
      )?.rules as unknown[] | undefined) ?? [];
    try {
      const repo = await git.repo('team/fight-rbac');
      await repo.commit(
        {
          'app/role.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${role}
aggregationRule:
  clusterRoleSelectors:
    - matchLabels:
        ${label}: "true"
rules: []
`,
          'app/part.yaml': `apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: ${part}
  labels:
    ${label}: "true"
rules:
  - apiGroups: [example.test]
    resources: [gadgets-${suffix}]
    verbs: [get]
`,
        },
        'an aggregated role',
      );
      await createApplication(
        kube(),
        namespace,
        'rbac',
        { source: { url: repo.url, path: 'app' } },
        { username: git.username, password: git.password },
      );
      const app = await waitForApplication(
        kube(),
        namespace,
        'rbac',
        'the conflict over rules in the Ready message',
        (a) =>
          readyOf(a)?.status === 'True' &&
          names(a, 'DriftConflict', `${role}: rules`, 'clusterrole-aggregation-controller'),
        120_000,
      );
      assert.ok(app);
      assert.equal((await conflictEventsOnceRecorded(namespace)).length, 1);

      await waitFor('the rules to be aggregated', async () => (await rulesOf()).length > 0);
      const since = Date.now();
      await sleep(quietMs);
      assert.ok((await rulesOf()).length > 0, 'the aggregated rules stay');
      const writes = (await writesBy(env().auditLog, reconcilerUserName, since)).filter(
        (w) => w.resource === 'clusterroles' && w.name === role,
      );
      assert.deepEqual(writes, [], 'no more writes to the role once the fight is given up');
    } finally {
      await running.stop();
      for (const name of [role, part]) await kubectl('delete', 'clusterrole', name).catch(() => {});
    }
  });
});
