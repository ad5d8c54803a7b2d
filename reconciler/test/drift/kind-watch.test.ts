import assert from 'node:assert/strict';
import { test } from 'node:test';
import { watchManagedKind } from '../../src/drift/kind-watch.ts';
import { manualClock } from '../../src/kube/clock.ts';
import { KubeApiError } from '../../src/kube/errors.ts';
import type { ListOptions, WatchEvent, WatchOptions } from '../../src/kube/kube.ts';
import type { KubeObject } from '../../src/kube/object.ts';

const configMap = (name: string, resourceVersion: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'web', resourceVersion },
});

/**
 * A server that answers lists with resourceVersion 10 and plays one script per watch request:
 * events, then the end of the stream, or an error.
 */
function scriptedServer(scripts: (readonly WatchEvent[] | Error)[]) {
  const lists: ListOptions[] = [];
  const watches: WatchOptions[] = [];
  const stop = new AbortController();
  const kube = {
    list: async (_apiVersion: string, _kind: string, options: ListOptions = {}) => {
      lists.push(options);
      return { items: [], resourceVersion: '10' };
    },
    watch: async function* (_apiVersion: string, _kind: string, options: WatchOptions = {}) {
      watches.push(options);
      const script = scripts.shift();
      if (script === undefined) {
        stop.abort(new Error('the script is over'));
        return;
      }
      if (script instanceof Error) throw script;
      yield* script;
    },
  };
  return { kube, lists, watches, signal: stop.signal };
}

const gone = new KubeApiError('watch', 'v1/ConfigMap', {
  httpStatus: 410,
  reason: 'Expired',
  message: 'too old resource version: 10 (250)',
  causes: [],
});

test('starts at the current resourceVersion and resumes from the last one seen, listing once', async () => {
  const server = scriptedServer([
    [
      { type: 'ADDED', object: configMap('a', '11') },
      { type: 'BOOKMARK', object: configMap('', '15') },
    ],
    [{ type: 'MODIFIED', object: configMap('a', '16') }],
  ]);
  const seen: string[] = [];
  await watchManagedKind({ apiVersion: 'v1', kind: 'ConfigMap' }, server.signal, {
    kube: server.kube,
    clock: manualClock(),
    retryMs: 1000,
    onEvent: (object, type) => seen.push(`${type} ${object.metadata.name}`),
    onGone: () => assert.fail('nothing was missed'),
    onError: (error) => assert.fail(error),
  });
  assert.deepEqual(seen, ['ADDED a', 'MODIFIED a']);
  assert.equal(server.lists.length, 1);
  assert.equal(server.lists[0]?.limit, 1, 'the list reads one object, for its resourceVersion');
  assert.deepEqual(
    server.watches.map((w) => w.resourceVersion),
    ['10', '15', '16'],
  );
  assert.ok(
    server.watches.every((w) => w.labelSelector === 'app.kubernetes.io/managed-by=kustodian'),
  );
});

test('starts afresh and says so when its resourceVersion is too old', async () => {
  const server = scriptedServer([[{ type: 'ADDED', object: configMap('a', '11') }], gone, []]);
  let missed = 0;
  await watchManagedKind({ apiVersion: 'v1', kind: 'ConfigMap' }, server.signal, {
    kube: server.kube,
    clock: manualClock(),
    retryMs: 1000,
    onEvent: () => {},
    onGone: () => {
      missed++;
    },
    onError: (error) => assert.fail(error),
  });
  assert.equal(missed, 1);
  assert.equal(server.lists.length, 2, 'listed again for a current resourceVersion');
  assert.deepEqual(
    server.watches.map((w) => w.resourceVersion),
    ['10', '11', '10', '10'],
  );
});
