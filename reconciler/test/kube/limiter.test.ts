import assert from 'node:assert/strict';
import { test } from 'node:test';
import { manualClock } from '../../src/kube/clock.ts';
import { TokenBucket } from '../../src/kube/limiter.ts';

/** Lets every pending promise callback run. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

test('lets a burst through at once and then one request per 1/qps seconds', async () => {
  const clock = manualClock();
  const bucket = new TokenBucket({ qps: 10, burst: 3 }, clock);
  const done: number[] = [];
  for (let i = 0; i < 5; i++) void bucket.take().then(() => done.push(i));
  await settle();
  assert.deepEqual(done, [0, 1, 2]);
  clock.advance(99);
  await settle();
  assert.deepEqual(done, [0, 1, 2], 'the fourth token is not there before 100 ms');
  clock.advance(1);
  await settle();
  assert.deepEqual(done, [0, 1, 2, 3]);
  clock.advance(100);
  await settle();
  assert.deepEqual(done, [0, 1, 2, 3, 4]);
});

test('refills up to the burst size after a quiet period, not beyond', async () => {
  const clock = manualClock();
  const bucket = new TokenBucket({ qps: 100, burst: 4 }, clock);
  for (let i = 0; i < 4; i++) await bucket.take();
  assert.ok(bucket.available() < 1);
  clock.advance(60_000);
  assert.equal(bucket.available(), 4);
});

test('serves waiters in the order they arrived', async () => {
  const clock = manualClock();
  const bucket = new TokenBucket({ qps: 1, burst: 1 }, clock);
  const order: string[] = [];
  await bucket.take();
  const first = bucket.take().then(() => order.push('first'));
  const second = bucket.take().then(() => order.push('second'));
  for (let i = 0; i < 3; i++) {
    await settle();
    clock.advance(1000);
  }
  await Promise.all([first, second]);
  assert.deepEqual(order, ['first', 'second']);
});

test('an aborted wait gives up and does not hold up the next waiter', async () => {
  const clock = manualClock();
  const bucket = new TokenBucket({ qps: 1, burst: 1 }, clock);
  await bucket.take();
  const controller = new AbortController();
  const abandoned = bucket.take(controller.signal);
  const next = bucket.take();
  await settle();
  controller.abort(new Error('new revision'));
  await assert.rejects(abandoned, /new revision/);
  clock.advance(1000);
  await next;
});

test('refuses a limit that could never hand out a token', () => {
  assert.throws(() => new TokenBucket({ qps: 0, burst: 1 }, manualClock()), /qps > 0/);
  assert.throws(() => new TokenBucket({ qps: 1, burst: 0 }, manualClock()), /burst >= 1/);
});
