import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyFailureMessage } from '../../src/controller/apply-failure.ts';

test('an apply that succeeded has no failure message', () => {
  assert.equal(applyFailureMessage({ failures: [], skipped: 0 }), undefined);
});

test('names only the objects that failed and counts the ones not applied because of them', () => {
  const message = applyFailureMessage({
    failures: ['Secret/shop/db: Forbidden (403): secrets is forbidden'],
    skipped: 399,
  });
  assert.equal(
    message,
    '1 object(s) failed: Secret/shop/db: Forbidden (403): secrets is forbidden; 399 other object(s) not applied because of it',
  );
});

test('lists every failure when nothing else was held back', () => {
  assert.equal(
    applyFailureMessage({ failures: ['ConfigMap/a/x: bad', 'ConfigMap/a/y: worse'], skipped: 0 }),
    '2 object(s) failed: ConfigMap/a/x: bad; ConfigMap/a/y: worse',
  );
});

test('says why objects were held back when none failed', () => {
  assert.equal(
    applyFailureMessage({
      failures: [],
      skipped: 12,
      blocked: 'the definitions stage did not become ready (InProgress): CRD not established',
    }),
    '12 object(s) not applied: the definitions stage did not become ready (InProgress): CRD not established',
  );
});
