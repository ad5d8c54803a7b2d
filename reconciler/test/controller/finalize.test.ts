import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseApplicationSpec } from '@kustodian/shared/config/application';
import type { Application, InventoryEntry } from '../../src/api/application.ts';
import {
  addFinalizerPatch,
  decideDeletion,
  finalizeObjects,
  finalizerName,
  hasFinalizer,
  isDeleting,
  removeFinalizerPatch,
} from '../../src/controller/finalize.ts';
import type { PruneReport } from '../../src/controller/ports.ts';

const spec = (fields: Record<string, unknown> = {}) =>
  parseApplicationSpec({ source: { url: 'https://git.example.com/o/r.git' }, ...fields }, 'test');

const app = (metadata: Record<string, unknown>, entries: InventoryEntry[] = []): Application => ({
  apiVersion: 'kustodian.dev/v1alpha1',
  kind: 'Application',
  metadata: { name: 'web', namespace: 'team', uid: 'u-1', ...metadata },
  status: { inventory: { entries } },
});

describe('what deleting an Application does to its objects', () => {
  it('deletes them by default, because prune is on', () => {
    assert.deepEqual(decideDeletion(spec()), { kind: 'delete' });
  });

  it('leaves them when prune is off, unless the policy says Delete', () => {
    assert.equal(decideDeletion(spec({ prune: false })).kind, 'orphan');
    assert.deepEqual(decideDeletion(spec({ prune: false, deletionPolicy: 'Delete' })), {
      kind: 'delete',
    });
  });

  it('leaves them when the policy says Orphan, even with prune on', () => {
    assert.deepEqual(decideDeletion(spec({ deletionPolicy: 'Orphan' })), {
      kind: 'orphan',
      why: 'its deletionPolicy is Orphan',
    });
  });

  it('leaves them when the Application is suspended or its spec no longer parses', () => {
    assert.deepEqual(decideDeletion(spec({ suspend: true, deletionPolicy: 'Delete' })), {
      kind: 'orphan',
      why: 'it is suspended',
    });
    const decision = decideDeletion(undefined, 'spec.source: Required');
    assert.equal(decision.kind, 'orphan');
    assert.match(decision.kind === 'orphan' ? decision.why : '', /spec is invalid: spec\.source/);
  });
});

describe('the finalizer', () => {
  it('is added only if the finalizers are still as they were read', () => {
    assert.deepEqual(addFinalizerPatch(app({})), [
      { op: 'test', path: '/metadata/uid', value: 'u-1' },
      { op: 'add', path: '/metadata/finalizers', value: [finalizerName] },
    ]);
    assert.deepEqual(addFinalizerPatch(app({ finalizers: ['other.example/keep'] })), [
      { op: 'test', path: '/metadata/finalizers', value: ['other.example/keep'] },
      { op: 'add', path: '/metadata/finalizers/-', value: finalizerName },
    ]);
  });

  it('is removed without touching the finalizers of others', () => {
    const held = app({ finalizers: ['a.example/x', finalizerName, 'b.example/y'] });
    assert.ok(hasFinalizer(held));
    assert.deepEqual(removeFinalizerPatch(held), [
      {
        op: 'test',
        path: '/metadata/finalizers',
        value: ['a.example/x', finalizerName, 'b.example/y'],
      },
      { op: 'replace', path: '/metadata/finalizers', value: ['a.example/x', 'b.example/y'] },
    ]);
  });

  it('tells an Application being deleted by its deletion timestamp', () => {
    assert.equal(isDeleting(app({})), false);
    assert.equal(isDeleting(app({ deletionTimestamp: '2026-11-27T00:00:00Z' })), true);
  });
});

describe('finalizing the objects', () => {
  // The Application lives in namespace "team"; its objects are in "web", "team" and cluster-wide.
  const entries: InventoryEntry[] = [
    { id: 'Namespace/web', version: 'v1' },
    { id: 'ConfigMap/web/settings', version: 'v1' },
    { id: 'apps/Deployment/web/web', version: 'v1' },
    { id: 'ConfigMap/team/notes', version: 'v1' },
  ];
  const report = (
    asked: readonly InventoryEntry[],
    failed: InventoryEntry[] = [],
  ): PruneReport => ({
    deleted: asked.filter((entry) => !failed.includes(entry)),
    skipped: [],
    failed: failed.map((entry) => ({ entry, message: 'forbidden' })),
  });
  const running = { namespaceTerminating: false };

  it('deletes every inventory entry, namespaced objects before their Namespace', async () => {
    let asked: readonly InventoryEntry[] = [];
    const outcome = await finalizeObjects(
      app({}, entries),
      { kind: 'delete' },
      {
        ...running,
        prune: async (list) => {
          asked = list;
          return report(list);
        },
      },
    );
    assert.equal(outcome.kind, 'deleted');
    assert.equal(asked.length, 4);
    assert.equal(asked.at(-1)?.id, 'Namespace/web');
  });

  it('names every object it could not delete', async () => {
    const stuck = entries[1] as InventoryEntry;
    const outcome = await finalizeObjects(
      app({}, entries),
      { kind: 'delete' },
      {
        ...running,
        prune: async (list) => report(list, [stuck]),
      },
    );
    assert.equal(outcome.kind, 'failed');
    assert.match(
      outcome.kind === 'failed' ? outcome.message : '',
      /could not delete ConfigMap\/web\/settings: forbidden/,
    );
  });

  it('deletes nothing when the decision is to orphan', async () => {
    const outcome = await finalizeObjects(
      app({}, entries),
      { kind: 'orphan', why: 'it is suspended' },
      { ...running, prune: async () => assert.fail('prune was called') },
    );
    assert.deepEqual(outcome, { kind: 'orphaned', why: 'it is suspended', left: 4 });
  });

  it('leaves its objects in its own terminating namespace to the namespace', async () => {
    let asked: readonly InventoryEntry[] = [];
    const outcome = await finalizeObjects(
      app({}, entries),
      { kind: 'delete' },
      {
        namespaceTerminating: true,
        prune: async (list) => {
          asked = list;
          return report(list);
        },
      },
    );
    assert.deepEqual(asked.map((entry) => entry.id).sort(), [
      'ConfigMap/web/settings',
      'Namespace/web',
      'apps/Deployment/web/web',
    ]);
    assert.equal(outcome.kind === 'deleted' ? outcome.withNamespace : -1, 1);
  });

  it('does not hold a terminating namespace for ever when a delete fails', async () => {
    const stuck = entries[0] as InventoryEntry;
    const outcome = await finalizeObjects(
      app({}, entries),
      { kind: 'delete' },
      {
        namespaceTerminating: true,
        prune: async (list) => report(list, [stuck]),
      },
    );
    assert.equal(outcome.kind, 'orphaned');
    assert.match(
      outcome.kind === 'orphaned' ? outcome.why : '',
      /namespace is being deleted and these could not be deleted: Namespace\/web: forbidden/,
    );
  });
});
