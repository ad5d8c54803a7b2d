/**
 * How many requests the engine sends, on the real API server, counted twice: by the client
 * that applies, and by the API server's own audit log (write requests and dry runs to this
 * test's namespace only; other test files share the log). A first sync sends one write per new
 * object and no dry run; a resync of the unchanged set, with the drift watch's view, sends no
 * request at all; a change made by hand between resyncs is still reverted, or reported with
 * selfHeal off.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { requestsIn } from '../../../test/env/audit.ts';
import { reconcilerUserName } from '../../../test/env/control-plane.ts';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { type Application, specOf } from '../../src/api/application.ts';
import type { AppContext } from '../../src/controller/ports.ts';
import type { DriftReport } from '../../src/drift/debounce.ts';
import { type DriftWatch, watchDrift } from '../../src/drift/watcher.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { systemClock } from '../../src/kube/clock.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { countsSince, type RequestCounts, writesIn } from '../../src/kube/requests.ts';
import { createEngine, type Engine } from '../../src/wiring/engine.ts';
import { testKube } from '../kube/support.ts';

const env = localEnv();
const run = promisify(execFile);

/** Objects in the set: ConfigMaps, and a Deployment whose controller keeps changing it. */
const count = 20;

const total = (counts: RequestCounts) => Object.values(counts).reduce((a, b) => a + b, 0);

describe('the requests an apply sends', () => {
  let kube: KubeClient;
  let ns: string;
  let engine: Engine;
  let watch: DriftWatch | undefined;
  const reports: DriftReport[] = [];
  const signal = new AbortController().signal;

  const app = (selfHeal = true): AppContext => {
    const application: Application = {
      apiVersion: 'kustodian.dev/v1alpha1',
      kind: 'Application',
      metadata: { name: 'counted', namespace: ns },
      spec: { source: { url: 'https://git.example.invalid/team/app.git' }, selfHeal },
    };
    return {
      key: `${ns}/counted`,
      namespace: ns,
      name: 'counted',
      spec: specOf(application),
      app: application,
    };
  };
  const objects = (mode: string): KubeObject[] => [
    ...Array.from({ length: count - 1 }, (_, index) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `config-${String(index).padStart(2, '0')}` },
      data: { mode, index: String(index) },
    })),
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }] },
        },
      },
    },
  ];
  const parsed = (set: readonly KubeObject[]) =>
    parseManifests(set.map((o) => JSON.stringify(o)).join('\n---\n'), 'objects.yaml');
  const audited = async (since: number) => {
    const requests = await requestsIn(env().auditLog, reconcilerUserName, ns, since);
    return {
      writes: requests.filter((r) => !r.dryRun).map((r) => `${r.verb} ${r.resource}/${r.name}`),
      dryRuns: requests.filter((r) => r.dryRun).map((r) => `${r.verb} ${r.resource}/${r.name}`),
    };
  };
  /** Runs `fn`, returning what the applying client sent meanwhile. */
  const counted = async <T>(fn: () => Promise<T>): Promise<[T, RequestCounts]> => {
    const before = kube.requestCounts();
    const result = await fn();
    return [result, countsSince(before, kube.requestCounts())];
  };
  const patchByHand = (value: string) =>
    run('kubectl', [
      ...['--kubeconfig', env().kubeconfig, '-n', ns, 'patch', 'configmap', 'config-07'],
      ...['--type=merge', '-p', JSON.stringify({ data: { mode: value } })],
    ]);
  const modeOf = async (name: string) =>
    (
      (await kube.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: ns, name }))?.data as
        | Record<string, string>
        | undefined
    )?.mode;
  const driftReported = (id: string, after: number) =>
    waitFor(`the drift watch to report ${id}`, async () =>
      reports.slice(after).some((report) => report.id === id),
    );

  before(async () => {
    // The reconciler's own user, so that the audit log tells its requests apart from the test's.
    const kc = new KubeConfig();
    kc.loadFromString(await readFile(env().reconcilerKubeconfig, 'utf8'));
    kube = testKube(kc);
    ns = await env().createNamespace('requests');
    // As the reconciler wires it: the engine asks the Application's drift watch what it saw.
    engine = createEngine({ kube, clock: systemClock, live: () => watch });
  });
  after(async () => {
    await watch?.stop();
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  test('a first sync of new objects sends one write each and no dry run', async (t) => {
    const since = Date.now();
    const [report, made] = await counted(() =>
      engine.apply(parsed(objects('blue')), app(), signal),
    );
    t.diagnostic(`first sync of ${count} new objects: ${JSON.stringify(made)}`);
    assert.equal(report.created, count, JSON.stringify(report.failures));
    assert.equal(made.dryRunApply, 0, JSON.stringify(made));
    assert.equal(made.apply, count);
    assert.equal(writesIn(made), count);
    const server = await audited(since);
    assert.equal(server.writes.length, count, JSON.stringify(server.writes));
    assert.deepEqual(server.dryRuns, []);

    // From now on the drift watch sees every change of these objects (the reconciler starts
    // it after each reconcile that changed the inventory).
    watch = watchDrift({
      kube: testKube(env().kc),
      inventory: report.inventory,
      owner: { namespace: ns, name: 'counted' },
      onDrift: (drifted) => reports.push(...drifted),
      debounceMs: 100,
    });
    await watch.ready;
  });

  test('a resync of the unchanged set sends no request at all, health check included', async (t) => {
    const since = Date.now();
    const [health, made] = await counted(async () => {
      const report = await engine.apply(parsed(objects('blue')), app(), signal);
      assert.equal(report.unchanged, count, JSON.stringify(report));
      return await engine.health(report.inventory, app(), false, signal, report.observed);
    });
    t.diagnostic(`no-op resync of ${count} objects: ${JSON.stringify(made)}`);
    assert.ok(['Healthy', 'Progressing'].includes(health.status), JSON.stringify(health));
    assert.ok(total(made) <= 2, `requests: ${JSON.stringify(made)}`);
    assert.equal(writesIn(made), 0);
    assert.equal(made.dryRunApply, 0);
    assert.deepEqual(await audited(since), { writes: [], dryRuns: [] });
  });

  test('a change by another field manager between resyncs is reverted', async (t) => {
    const seen = reports.length;
    await patchByHand('by hand');
    await driftReported(`ConfigMap/${ns}/config-07`, seen);
    const since = Date.now();
    const [report, made] = await counted(() =>
      engine.apply(parsed(objects('blue')), app(), signal),
    );
    t.diagnostic(`resync after a change by hand: ${JSON.stringify(made)}`);
    assert.equal(report.configured, 1, JSON.stringify(report));
    assert.equal(report.unchanged, count - 1);
    assert.equal(await modeOf('config-07'), 'blue');
    assert.equal(
      made.dryRunApply,
      1,
      `only the changed object is dry-run: ${JSON.stringify(made)}`,
    );
    assert.equal(writesIn(made), 1);
    assert.deepEqual(await audited(since), {
      writes: ['patch configmaps/config-07'],
      dryRuns: ['patch configmaps/config-07'],
    });
  });

  test('with selfHeal off, a change by another field manager is reported and left', async () => {
    const seen = reports.length;
    await patchByHand('kept');
    await driftReported(`ConfigMap/${ns}/config-07`, seen);
    const compare = engine.compare;
    assert.ok(compare);
    const since = Date.now();
    const report = await compare(parsed(objects('blue')), app(false), signal);
    assert.deepEqual(report.drifted, [`ConfigMap/${ns}/config-07: differs at data.mode`]);
    assert.equal(report.unchanged, count - 1);
    assert.equal(await modeOf('config-07'), 'kept');
    assert.deepEqual(await audited(since), {
      writes: [],
      dryRuns: ['patch configmaps/config-07'],
    });
  });
});
