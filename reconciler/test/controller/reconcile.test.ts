/**
 * The reconcile pipeline with its ports played by small stand-ins (the API server's own
 * behaviour is tested against the real one in `e2e/` and `wiring/`): what status it asks for
 * after an apply that failed or was cut short, and which reconciles make a line in the history.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { type Application, type InventoryEntry, specOf } from '../../src/api/application.ts';
import type {
  AppContext,
  ApplyReport,
  EnginePort,
  HealthReport,
} from '../../src/controller/ports.ts';
import { type ReconcileResult, reconcile } from '../../src/controller/reconcile.ts';
import { nextStatus } from '../../src/status/next.ts';

const commit = 'a'.repeat(40);
const revision = `main@sha1:${commit}`;
const namespaceEntry: InventoryEntry = { id: 'Namespace/shop', version: 'v1' };
const secretEntry: InventoryEntry = { id: 'Secret/shop/db', version: 'v1' };
const oldEntry: InventoryEntry = { id: 'ConfigMap/apps/old', version: 'v1' };
const rendered = parseManifests(
  [
    'apiVersion: v1\nkind: Namespace\nmetadata: { name: shop }',
    'apiVersion: v1\nkind: Secret\nmetadata: { name: db, namespace: shop }',
  ].join('\n---\n'),
  'app.yaml',
);

function applicationWith(status?: Application['status'], spec: object = {}): Application {
  return {
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name: 'shop', namespace: 'apps', generation: 1 },
    spec: { source: { url: 'https://git.example.invalid/team/shop.git' }, ...spec },
    ...(status ? { status } : {}),
  };
}

function contextOf(app: Application): AppContext {
  return { key: 'apps/shop', namespace: 'apps', name: 'shop', spec: specOf(app), app };
}

const healthy: HealthReport = {
  status: 'Healthy',
  message: 'all 2 objects are healthy',
  counts: {},
};
const degraded: HealthReport = {
  status: 'Degraded',
  message: 'apps/Deployment/shop/web: crash looping',
  counts: {},
};

function report(extra: Partial<ApplyReport> = {}): ApplyReport {
  return {
    created: 0,
    configured: 0,
    unchanged: 2,
    failures: [],
    skipped: 0,
    inventory: [namespaceEntry, secretEntry],
    ...extra,
  };
}

/** Runs the pipeline with an engine whose apply is `apply` and whose health is `health`. */
function run(
  app: Application,
  engine: Partial<EnginePort>,
  signal = new AbortController().signal,
): Promise<ReconcileResult> {
  return reconcile(
    contextOf(app),
    {
      source: {
        resolve: async () => commit,
        checkout: async () => ({ dir: '/nowhere', commit, revision, trailers: {} }),
      },
      render: { render: async () => rendered },
      engine: {
        apply: async () => report(),
        prune: async (stale) => ({ deleted: [...stale], skipped: [], failed: [] }),
        health: async () => healthy,
        ...engine,
      },
      applications: { get: () => undefined },
      now: () => new Date('2026-01-01T00:00:00Z'),
    },
    signal,
  );
}

describe('an apply that fails after writing', () => {
  test('keeps every object it wrote in the inventory, with the previous ones, and prunes nothing', async () => {
    let pruned = false;
    const result = await run(applicationWith({ inventory: { entries: [oldEntry] } }), {
      apply: async (_objects, _ctx, _signal, onWritten) => {
        onWritten?.(namespaceEntry);
        return report({
          created: 1,
          unchanged: 0,
          failures: ['Secret/shop/db: Forbidden (403): secrets is forbidden'],
          inventory: [namespaceEntry, secretEntry],
        });
      },
      prune: async () => {
        pruned = true;
        return { deleted: [], skipped: [], failed: [] };
      },
    });
    assert.equal(result.outcome.kind, 'failed');
    assert.deepEqual(
      result.inventory?.map((entry) => entry.id),
      ['ConfigMap/apps/old', 'Namespace/shop'],
    );
    assert.equal(pruned, false);
  });

  test('leaves the inventory alone when it wrote nothing', async () => {
    const result = await run(applicationWith({ inventory: { entries: [oldEntry] } }), {
      apply: async () => report({ failures: ['Namespace/shop: refused'], skipped: 1 }),
    });
    assert.equal(result.outcome.kind, 'failed');
    assert.equal(result.inventory, undefined, 'status keeps the inventory it has');
  });
});

describe('an apply cut short by a refresh', () => {
  test('says what it wrote before the abort, for the inventory', async () => {
    const refresh = new AbortController();
    const result = await run(
      applicationWith({ inventory: { entries: [oldEntry] } }),
      {
        apply: async (_objects, _ctx, signal, onWritten) => {
          onWritten?.(namespaceEntry);
          refresh.abort(new Error('superseded: a push arrived'));
          signal.throwIfAborted();
          return report();
        },
      },
      refresh.signal,
    );
    assert.equal(result.outcome.kind, 'progressing');
    assert.deepEqual(
      result.inventory?.map((entry) => entry.id),
      ['ConfigMap/apps/old', 'Namespace/shop'],
    );
  });

  test('still rejects when it wrote nothing', async () => {
    const refresh = new AbortController();
    const apply: EnginePort['apply'] = async (_objects, _ctx, signal) => {
      refresh.abort(new Error('superseded: a push arrived'));
      signal.throwIfAborted();
      return report();
    };
    await assert.rejects(run(applicationWith(), { apply }, refresh.signal), /superseded/);
  });

  test('keeps the applied set and what was to be pruned when the prune is cut short', async () => {
    const refresh = new AbortController();
    const result = await run(
      applicationWith({ inventory: { entries: [oldEntry] } }),
      {
        apply: async () => report({ created: 2, unchanged: 0 }),
        prune: async (_stale, _ctx, signal) => {
          refresh.abort(new Error('superseded: a push arrived'));
          signal.throwIfAborted();
          return { deleted: [], skipped: [], failed: [] };
        },
      },
      refresh.signal,
    );
    assert.equal(result.outcome.kind, 'progressing');
    assert.deepEqual(
      result.inventory?.map((entry) => entry.id),
      ['ConfigMap/apps/old', 'Namespace/shop', 'Secret/shop/db'],
    );
  });
});

describe('a step that throws', () => {
  test('an apply that throws before writing fails ApplyFailed and keeps the inventory', async () => {
    const result = await run(applicationWith({ inventory: { entries: [oldEntry] } }), {
      apply: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:6443');
      },
    });
    assert.deepEqual(result.outcome, {
      kind: 'failed',
      reason: 'ApplyFailed',
      message: 'connect ECONNREFUSED 127.0.0.1:6443',
    });
    assert.equal(result.inventory, undefined, 'status keeps the inventory it has');
  });

  test('a prune that throws fails PruneFailed and keeps what was to be pruned listed', async () => {
    const result = await run(applicationWith({ inventory: { entries: [oldEntry] } }), {
      apply: async () => report({ created: 2, unchanged: 0 }),
      prune: async () => {
        throw new Error('discovery: the server is currently unable to handle the request');
      },
    });
    assert.equal(result.outcome.kind, 'failed');
    assert.equal(result.outcome.kind === 'failed' && result.outcome.reason, 'PruneFailed');
    assert.match(
      result.outcome.kind === 'failed' ? result.outcome.message : '',
      /^prune: discovery: the server is currently unable/,
    );
    assert.deepEqual(
      result.inventory?.map((entry) => entry.id),
      ['ConfigMap/apps/old', 'Namespace/shop', 'Secret/shop/db'],
    );
    assert.equal(result.sync?.reason, 'PruneFailed');
  });

  test('a health check that throws fails HealthCheckFailed, with the applied inventory', async () => {
    const result = await run(applicationWith(), {
      apply: async () => report({ created: 2, unchanged: 0 }),
      health: async () => {
        throw new Error('watch Deployment/shop/web: 500 Internal Server Error');
      },
    });
    assert.equal(result.outcome.kind === 'failed' && result.outcome.reason, 'HealthCheckFailed');
    assert.match(
      result.outcome.kind === 'failed' ? result.outcome.message : '',
      /^health check: watch Deployment\/shop\/web/,
    );
    assert.deepEqual(
      result.inventory?.map((entry) => entry.id),
      ['Namespace/shop', 'Secret/shop/db'],
    );
    assert.equal(result.sync?.reason, 'HealthCheckFailed');
  });
});

test('passes on which objects were applied IfNotPresent, for drift watching', async () => {
  const result = await run(applicationWith(), {
    apply: async () => report({ ifNotPresent: ['Secret/shop/db'] }),
  });
  assert.equal(result.outcome.kind, 'succeeded');
  assert.deepEqual(result.ifNotPresent, ['Secret/shop/db']);
});

describe('the history', () => {
  test('records a health failure as Failed, once while it repeats, and the recovery', async () => {
    let app = applicationWith({
      lastAppliedRevision: 'main@sha1:old',
      history: [
        {
          revision: 'main@sha1:old',
          startedAt: '2025-12-31T00:00:00Z',
          finishedAt: '2025-12-31T00:00:01Z',
          result: 'Succeeded',
        },
      ],
    });
    const step = async (engine: Partial<EnginePort>) => {
      const result = await run(app, engine);
      app = { ...app, status: nextStatus(app, result, new Date('2026-01-01T00:00:00Z')) };
      return result;
    };
    const rollout = await step({
      apply: async () => report({ configured: 1, unchanged: 1 }),
      health: async () => degraded,
    });
    assert.equal(rollout.outcome.kind, 'failed');
    assert.deepEqual(
      [rollout.sync?.revision, rollout.sync?.result, rollout.sync?.reason],
      [revision, 'Failed', 'HealthCheckFailed'],
    );
    for (let retry = 0; retry < 3; retry++) {
      const again = await step({ health: async () => degraded });
      assert.equal(again.sync, undefined, 'a retry that changed nothing adds no line');
    }
    const recovered = await step({});
    assert.deepEqual([recovered.sync?.result, recovered.sync?.reason], ['Succeeded', undefined]);
    const resync = await step({});
    assert.equal(resync.sync, undefined);
    assert.deepEqual(
      app.status?.history?.map((line) => [line.revision, line.result, line.reason]),
      [
        [revision, 'Succeeded', undefined],
        [revision, 'Failed', 'HealthCheckFailed'],
        ['main@sha1:old', 'Succeeded', undefined],
      ],
    );
  });

  test('adds a line for a retry that changed the cluster even when it failed the same way', async () => {
    const app = applicationWith({
      history: [
        {
          revision,
          startedAt: '2025-12-31T00:00:00Z',
          finishedAt: '2025-12-31T00:00:01Z',
          result: 'Failed',
          reason: 'HealthCheckFailed',
        },
      ],
    });
    const result = await run(app, {
      apply: async () => report({ configured: 1, unchanged: 1 }),
      health: async () => degraded,
    });
    assert.equal(result.sync?.reason, 'HealthCheckFailed');
  });
});
