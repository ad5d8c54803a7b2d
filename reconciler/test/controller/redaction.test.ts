/**
 * Status messages are scrubbed before they are stored: a failure whose text holds a known secret
 * or a URL's credentials reaches the Application's status without them.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { localEnv } from '../../../test/env/for-tests.ts';
import { waitFor } from '../../../test/env/wait.ts';
import { type Controller, startController } from '../../src/controller/controller.ts';
import { systemClock } from '../../src/kube/clock.ts';
import { createLogger, createRedactor, memorySink } from '../../src/log.ts';
import { createMetrics } from '../../src/metrics.ts';
import {
  adminKube,
  createApplication,
  installCrd,
  readyOf,
  waitForApplication,
} from '../e2e/support.ts';

const env = localEnv();
const secret = 'pw-9d1f0c7e-very-secret';
// Known to nobody but the URL it is in: only URL scrubbing can remove it.
const urlPassword = 'url-only-4b7e2a';

describe('status messages', () => {
  let namespace: string;
  let controller: Controller | undefined;
  const kube = () => adminKube(env());

  before(async () => {
    await installCrd(kube());
    namespace = await env().createNamespace('redaction');
  });
  after(async () => {
    await controller?.stop();
    await kube().patch(
      { apiVersion: 'kustodian.dev/v1alpha1', kind: 'Application', namespace, name: 'leaky' },
      [{ op: 'replace', path: '/metadata/finalizers', value: [] }],
    );
  });

  test('never store a known secret or the credentials of a URL, and a retry is no news', async () => {
    let resolves = 0;
    const warnings: string[] = [];
    const redactor = createRedactor();
    redactor.addSecret(secret);
    controller = startController({
      kube: kube(),
      deps: {
        source: {
          resolve: async () => {
            resolves++;
            throw new Error(
              `fetch https://bot:${urlPassword}@git.example.invalid/team/leaky.git: the server said "${secret}" is wrong`,
            );
          },
          checkout: async () => assert.fail('no checkout after a failed resolve'),
        },
        render: { render: async () => [] },
        engine: {
          apply: async () => assert.fail('nothing is applied'),
          prune: async () => assert.fail('nothing is pruned'),
          health: async () => assert.fail('no health check'),
        },
      },
      events: {
        record: async (_app, type, reason) => {
          if (type === 'Warning') warnings.push(reason);
        },
      },
      metrics: createMetrics({ processMetrics: false }),
      log: createLogger({ level: 'debug', sink: memorySink(), redactor }),
      clock: systemClock,
      concurrency: 1,
      namespace,
      redact: (text) => redactor.redact(text),
    });
    await createApplication(kube(), namespace, 'leaky', {
      source: { url: 'https://git.example.invalid/team/leaky.git' },
    });
    const app = await waitForApplication(
      kube(),
      namespace,
      'leaky',
      'FetchFailed',
      (a) => readyOf(a)?.reason === 'FetchFailed',
      30_000,
    );
    const stored = JSON.stringify(app.status);
    assert.ok(!stored.includes(secret), stored);
    assert.ok(!stored.includes(urlPassword), stored);
    assert.match(readyOf(app)?.message ?? '', /is wrong/);

    // The same failure again is no news: one Warning Event, not one per retry.
    for (let retry = 1; retry <= 3; retry++) {
      const before = resolves;
      controller.refresh(`${namespace}/leaky`, 'retry');
      await waitFor('one more reconcile', async () => resolves > before, { timeoutMs: 15_000 });
    }
    assert.deepEqual(warnings, ['ReconcileFailed']);
  });
});
