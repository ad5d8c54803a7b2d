import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KubeApiError, readStatus } from '../../src/kube/errors.ts';
import { parseWatchLine } from '../../src/kube/watch.ts';

const target = { apiVersion: 'v1', kind: 'ConfigMap' };

test('fills in apiVersion and kind of watched objects that lack them', () => {
  const event = parseWatchLine(
    '{"type":"MODIFIED","object":{"metadata":{"name":"a","namespace":"n"}}}',
    target,
  );
  assert.deepEqual(event, {
    type: 'MODIFIED',
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'n' } },
  });
});

test('turns an ERROR event into a KubeApiError with the status code, so 410 Gone can be told apart', () => {
  const line = JSON.stringify({
    type: 'ERROR',
    object: {
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
      message: 'too old resource version: 1 (2)',
    },
  });
  assert.throws(
    () => parseWatchLine(line, target),
    (thrown) =>
      thrown instanceof KubeApiError &&
      thrown.httpStatus === 410 &&
      thrown.reason === 'Expired' &&
      thrown.message === 'watch v1/ConfigMap: Expired (410): too old resource version: 1 (2)',
  );
});

test('refuses a line that is not JSON', () => {
  assert.throws(
    () => parseWatchLine('<html>', target),
    /watch v1\/ConfigMap: the server sent a line that is not JSON/,
  );
});

test('reads a body that is not a Status as the message, with the HTTP status text as reason', () => {
  assert.deepEqual(readStatus(502, 'Bad Gateway', 'upstream down\n'), {
    httpStatus: 502,
    reason: 'Bad Gateway',
    message: 'upstream down',
    causes: [],
  });
});
