/**
 * The controller on the real API server (its Applications, their status), with a source,
 * renderer and engine of the test's own, so that a reconcile can be cut short exactly where the
 * test wants it.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import type { InventoryEntry } from '../../src/api/application.ts';
import { type Controller, startController } from '../../src/controller/controller.ts';
import type { EnginePort } from '../../src/controller/ports.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { createLogger, memorySink } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import {
  adminKube,
  createApplication,
  installCrd,
  readyOf,
  waitForApplication,
} from '../e2e/support.ts';

const env = localEnv();
const commit = 'b'.repeat(40);

describe('a reconcile cut short while it applies', () => {
  let namespace: string;
  let controller: Controller | undefined;
  const kube = () => adminKube(env());

  before(async () => {
    await installCrd(kube());
    namespace = await env().createNamespace('controller');
  });
  after(async () => {
    await controller?.stop();
    // Its finalizer would otherwise hold the Application: no controller is left to release it.
    await kube().patch(
      { apiVersion: 'kustodian.dev/v1alpha1', kind: 'Application', namespace, name: 'cut' },
      [{ op: 'replace', path: '/metadata/finalizers', value: [] }],
    );
  });

  test('keeps what it wrote before the refresh in the inventory, and is no failure', async () => {
    const written: InventoryEntry = { id: 'Namespace/cut-short-shop', version: 'v1' };
    let applies = 0;
    let started: () => void = () => undefined;
    const applying = new Promise<void>((resolve) => {
      started = resolve;
    });
    const untilAborted = (signal: AbortSignal) =>
      new Promise<never>((_, reject) => {
        if (signal.aborted) reject(signal.reason);
        else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const engine: EnginePort = {
      apply: async (_objects, _ctx, signal, onWritten) => {
        applies++;
        // The first apply writes one object and is then cut short; the next one never ends.
        if (applies === 1) {
          onWritten?.(written);
          started();
        }
        return untilAborted(signal);
      },
      prune: async () => ({ deleted: [], skipped: [], failed: [] }),
      health: async () => ({ status: 'Healthy', message: 'healthy', counts: {} }),
    };
    controller = startController({
      kube: kube(),
      deps: {
        source: {
          resolve: async () => commit,
          checkout: async () => ({
            dir: '/nowhere',
            commit,
            revision: `main@sha1:${commit}`,
            trailers: {},
          }),
        },
        render: {
          render: async () =>
            parseManifests(
              'apiVersion: v1\nkind: Namespace\nmetadata: { name: cut-short-shop }',
              'a.yaml',
            ),
        },
        engine,
      },
      events: { record: async () => undefined },
      metrics: createMetrics({ processMetrics: false }),
      log: createLogger({ level: 'debug', sink: memorySink() }),
      clock: systemClock,
      concurrency: 1,
      namespace,
    });
    await createApplication(kube(), namespace, 'cut', {
      source: { url: 'https://git.example.invalid/team/cut.git' },
    });
    await applying;
    controller.refresh(`${namespace}/cut`, 'a push arrived');

    const app = await waitForApplication(
      kube(),
      namespace,
      'cut',
      'the written object in the inventory',
      (a) => (a.status?.inventory?.entries ?? []).some((entry) => entry.id === written.id),
      15_000,
    );
    assert.notEqual(readyOf(app)?.status, 'False', JSON.stringify(readyOf(app)));
    await waitFor('the next reconcile to start', async () => applies >= 2, { timeoutMs: 15_000 });
  });
});
