/**
 * Which pods belong to an Application's workloads (query/src/pods.ts), from a YAML fixture of
 * live objects: through ReplicaSets and Jobs to an inventory object, and nothing else.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { InventoryRef } from '../src/inventory.ts';
import type { LiveObject } from '../src/objects.ts';
import { podsOfWorkloads } from '../src/pods.ts';

const objects = parseAllDocuments(
  await readFile(new URL('testdata/pods.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as LiveObject);
const named = (kind: string, name: string) => {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(found, `${kind}/${name} in the fixture`);
  return found;
};
const workload = (kind: string, name: string, apiVersion: string) => ({
  ref: { id: `${kind}/team/${name}`, apiVersion, kind, namespace: 'team', name } as InventoryRef,
  live: named(kind, name),
});
const owned = objects.filter(
  (o) => o.kind === 'Pod' || o.kind === 'ReplicaSet' || o.kind === 'Job',
);

describe('podsOfWorkloads', () => {
  test("a Deployment's pods are found through its ReplicaSet, a Job's directly, sorted by name", () => {
    const pods = podsOfWorkloads(
      [workload('Deployment', 'web', 'apps/v1'), workload('Job', 'migrate', 'batch/v1')],
      owned,
    );
    assert.deepEqual(
      pods.map((p) => `${p.name} ${p.owner} ${p.node || '-'} ${p.containers.join(',')}`),
      [
        'migrate-x1 Job/migrate node-2 migrate',
        'web-5d8f-a Deployment/web - web,proxy',
        'web-5d8f-b Deployment/web node-1 init,web,proxy',
      ],
    );
  });

  test('pods of objects outside the inventory, and bare pods, are left out', () => {
    const pods = podsOfWorkloads([workload('Deployment', 'web', 'apps/v1')], owned);
    assert.ok(pods.every((p) => p.owner === 'Deployment/web'));
    assert.equal(pods.length, 2);
  });

  test('a Pod of the inventory is its own workload', () => {
    const pods = podsOfWorkloads([workload('Pod', 'stranger', 'v1')], owned);
    assert.deepEqual(
      pods.map((p) => `${p.name} ${p.owner}`),
      ['stranger Pod/stranger'],
    );
  });
});
