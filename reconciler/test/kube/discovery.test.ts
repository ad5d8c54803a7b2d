import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Discovery,
  discoveryPath,
  type ResourceTable,
  readGroupVersions,
  readResourceList,
  resourcePath,
  UnknownKindError,
} from '../../src/kube/discovery.ts';

const appsList = {
  kind: 'APIResourceList',
  groupVersion: 'apps/v1',
  resources: [
    { name: 'deployments', kind: 'Deployment', namespaced: true },
    { name: 'deployments/status', kind: 'Deployment', namespaced: true },
    { name: 'deployments/scale', kind: 'Scale', namespaced: true },
  ],
};

/** A discovery source that serves the given documents and records each read. */
function source(documents: Map<string, unknown>) {
  const reads: string[] = [];
  const fetch = async (apiVersion: string): Promise<ResourceTable> => {
    reads.push(apiVersion);
    const body = documents.get(apiVersion);
    return body === undefined ? undefined : readResourceList(apiVersion, body);
  };
  return { reads, fetch };
}

test('reads a discovery document once and answers later lookups from the cache', async () => {
  const { reads, fetch } = source(new Map([['apps/v1', appsList]]));
  const discovery = new Discovery(fetch);
  const first = await discovery.resourceFor('apps/v1', 'Deployment');
  await discovery.resourceFor('apps/v1', 'Deployment');
  assert.deepEqual(first, {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
  });
  assert.deepEqual(reads, ['apps/v1']);
});

test('leaves subresources out of the table', () => {
  const table = readResourceList('apps/v1', appsList);
  assert.deepEqual([...table.keys()], ['Deployment']);
  assert.equal(table.get('Deployment')?.plural, 'deployments');
});

test('reads a cached document again once when a kind is missing, so a new CRD is found', async () => {
  const gadgets = { name: 'gadgets', kind: 'Gadget', namespaced: true };
  const documents = new Map<string, unknown>([['example.com/v1', { resources: [gadgets] }]]);
  const { reads, fetch } = source(documents);
  const discovery = new Discovery(fetch);
  await discovery.resourceFor('example.com/v1', 'Gadget');
  const widgets = { name: 'widgets', kind: 'Widget', namespaced: false };
  documents.set('example.com/v1', { resources: [gadgets, widgets] });
  const found = await discovery.resourceFor('example.com/v1', 'Widget');
  assert.equal(found.plural, 'widgets');
  assert.equal(found.namespaced, false);
  assert.deepEqual(reads, ['example.com/v1', 'example.com/v1']);
  await assert.rejects(discovery.resourceFor('example.com/v1', 'Missing'), UnknownKindError);
  assert.equal(reads.length, 3, 'a kind that stays missing costs one read, not a loop');
});

test('says whether the group version or only the kind is unknown', async () => {
  const discovery = new Discovery(source(new Map([['apps/v1', appsList]])).fetch);
  await assert.rejects(
    discovery.resourceFor('nothing.example.com/v1', 'Thing'),
    /does not serve nothing\.example\.com\/v1/,
  );
  await assert.rejects(
    discovery.resourceFor('apps/v1', 'Thing'),
    /has no resource of kind Thing in apps\/v1/,
  );
});

test('concurrent lookups share one read and a failed read is not cached', async () => {
  let calls = 0;
  const discovery = new Discovery(async (apiVersion) => {
    calls++;
    if (calls === 1) throw new Error('connection reset');
    return readResourceList(apiVersion, appsList);
  });
  await assert.rejects(discovery.resourceFor('apps/v1', 'Deployment'), /connection reset/);
  await Promise.all([1, 2, 3].map(() => discovery.resourceFor('apps/v1', 'Deployment')));
  assert.equal(calls, 2);
});

test('builds resource paths for core and grouped, namespaced and cluster-scoped resources', () => {
  const deployments = {
    group: 'apps',
    version: 'v1',
    kind: 'Deployment',
    plural: 'deployments',
    namespaced: true,
  };
  const namespaces = {
    group: '',
    version: 'v1',
    kind: 'Namespace',
    plural: 'namespaces',
    namespaced: false,
  };
  assert.equal(discoveryPath('v1'), '/api/v1');
  assert.equal(discoveryPath('apps/v1'), '/apis/apps/v1');
  assert.equal(resourcePath(deployments), '/apis/apps/v1/deployments');
  assert.equal(
    resourcePath(deployments, { namespace: 'web', name: 'api' }),
    '/apis/apps/v1/namespaces/web/deployments/api',
  );
  assert.equal(
    resourcePath(deployments, { namespace: 'web', name: 'api', subresource: 'status' }),
    '/apis/apps/v1/namespaces/web/deployments/api/status',
  );
  assert.equal(resourcePath(namespaces, { name: 'web' }), '/api/v1/namespaces/web');
  assert.equal(
    resourcePath(namespaces, { name: 'system:admin' }),
    '/api/v1/namespaces/system%3Aadmin',
  );
});

test('finds the version a group serves a kind in now, the preferred one first', async () => {
  const widgets = { resources: [{ name: 'widgets', kind: 'Widget', namespaced: true }] };
  const gadgets = { resources: [{ name: 'gadgets', kind: 'Gadget', namespaced: true }] };
  const { fetch } = source(
    new Map<string, unknown>([
      ['example.com/v1', widgets],
      ['example.com/v2', gadgets],
    ]),
  );
  const group = {
    kind: 'APIGroup',
    versions: [{ groupVersion: 'example.com/v1' }, { groupVersion: 'example.com/v2' }],
    preferredVersion: { groupVersion: 'example.com/v2' },
  };
  const discovery = new Discovery(fetch, async (name) =>
    name === 'example.com' ? readGroupVersions(name, group) : undefined,
  );
  assert.deepEqual(readGroupVersions('example.com', group), ['example.com/v2', 'example.com/v1']);
  assert.equal(await discovery.servedApiVersion('example.com', 'Gadget'), 'example.com/v2');
  assert.equal(await discovery.servedApiVersion('example.com', 'Widget'), 'example.com/v1');
  assert.equal(await discovery.servedApiVersion('example.com', 'Sprocket'), undefined);
  assert.equal(await discovery.servedApiVersion('other.example.com', 'Widget'), undefined);
  assert.deepEqual(readGroupVersions('', { kind: 'APIVersions', versions: ['v1'] }), ['v1']);
});
