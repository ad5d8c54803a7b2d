import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createDebouncer, type DriftReport } from '../../src/drift/debounce.ts';
import { manualClock } from '../../src/kube/clock.ts';

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('hands over a burst of reports once, after a quiet period, sorted by id', async () => {
  const clock = manualClock();
  const calls: DriftReport[][] = [];
  const debouncer = createDebouncer(
    (reports) => calls.push(reports),
    1000,
    clock,
    new AbortController().signal,
  );
  debouncer.add('ConfigMap/web/b', { kind: 'deleted' });
  clock.advance(500);
  debouncer.add('ConfigMap/web/a', { kind: 'deleted' });
  debouncer.add('ConfigMap/web/b', { kind: 'deleted' });
  await settle();
  clock.advance(600);
  await settle();
  assert.equal(calls.length, 0, 'events 600 ms ago: not quiet long enough');
  clock.advance(400);
  await settle();
  assert.deepEqual(
    calls.map((reports) => reports.map((report) => report.id)),
    [['ConfigMap/web/a', 'ConfigMap/web/b']],
  );
  assert.equal(calls[0]?.[0]?.message, 'deleted (or no longer labelled as managed)');
});

test('does not wait forever while events keep coming', async () => {
  const clock = manualClock();
  let calls = 0;
  const debouncer = createDebouncer(() => calls++, 1000, clock, new AbortController().signal);
  for (let i = 0; i < 12; i++) {
    debouncer.add('ConfigMap/web/busy', { kind: 'deleted' });
    await settle();
    clock.advance(500);
    await settle();
  }
  assert.equal(calls, 1, 'flushed once after five quiet periods despite the stream');
});

test('drops pending reports when stopped', async () => {
  const clock = manualClock();
  const controller = new AbortController();
  let calls = 0;
  const debouncer = createDebouncer(() => calls++, 1000, clock, controller.signal);
  debouncer.add('ConfigMap/web/a', { kind: 'deleted' });
  await settle();
  controller.abort();
  clock.advance(5000);
  await settle();
  debouncer.add('ConfigMap/web/b', { kind: 'deleted' });
  clock.advance(5000);
  await settle();
  assert.equal(calls, 0);
});
