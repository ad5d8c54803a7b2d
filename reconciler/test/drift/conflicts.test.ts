import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConflictTracker } from '../../src/drift/conflicts.ts';
import { manualClock } from '../../src/kube/clock.ts';

const epoch = { revision: 'abc', generation: 1 };
const change = { object: 'ConfigMap/web/settings', manager: 'tuner', fields: ['data.mode'] };
const minute = 60_000;

test('the third revert of the same fields within ten minutes is a conflict, reported once', () => {
  const clock = manualClock();
  const tracker = createConflictTracker(clock);
  assert.equal(tracker.recordRevert('web/app', epoch, change), undefined);
  clock.advance(minute);
  assert.equal(tracker.recordRevert('web/app', epoch, change), undefined);
  clock.advance(minute);
  assert.deepEqual(tracker.recordRevert('web/app', epoch, change), change);
  assert.equal(tracker.recordRevert('web/app', epoch, change), undefined);
  assert.deepEqual(tracker.conflictsOf('web/app', epoch), [change]);
});

test('reverts spread wider than the window are no conflict', () => {
  const clock = manualClock();
  const tracker = createConflictTracker(clock);
  for (let round = 0; round < 5; round++) {
    assert.equal(tracker.recordRevert('web/app', epoch, change), undefined);
    clock.advance(6 * minute);
  }
  assert.deepEqual(tracker.conflictsOf('web/app', epoch), []);
});

test('other fields, objects, managers and Applications are counted apart', () => {
  const clock = manualClock();
  const tracker = createConflictTracker(clock);
  const others = [
    { ...change, fields: ['data.level'] },
    { ...change, object: 'ConfigMap/web/other' },
    { ...change, manager: 'someone' },
  ];
  for (let round = 0; round < 2; round++) {
    tracker.recordRevert('web/app', epoch, change);
    for (const other of others) tracker.recordRevert('web/app', epoch, other);
    tracker.recordRevert('web/other-app', epoch, change);
  }
  assert.deepEqual(tracker.conflictsOf('web/app', epoch), []);
  assert.deepEqual(tracker.conflictsOf('web/other-app', epoch), []);
});

test('a new revision or a new generation clears the conflicts', () => {
  const clock = manualClock();
  const tracker = createConflictTracker(clock);
  for (let round = 0; round < 3; round++) tracker.recordRevert('web/app', epoch, change);
  assert.equal(tracker.conflictsOf('web/app', epoch).length, 1);
  assert.deepEqual(tracker.conflictsOf('web/app', { revision: 'def', generation: 1 }), []);
  for (let round = 0; round < 3; round++) tracker.recordRevert('web/app', epoch, change);
  assert.deepEqual(tracker.conflictsOf('web/app', { revision: 'abc', generation: 2 }), []);
});
