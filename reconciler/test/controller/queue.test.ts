import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { backoffDelay } from '../../src/controller/backoff.ts';
import { startQueue } from '../../src/controller/queue.ts';
import { manualClock } from '../../src/kube/clock.ts';

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await tick();
}

describe('the work queue', () => {
  test('runs a key once however often it is added before it runs', async () => {
    const clock = manualClock();
    const ran: string[] = [];
    const queue = startQueue({ concurrency: 2, clock, handle: async (key) => void ran.push(key) });
    queue.add('a', 1000);
    queue.add('a', 500);
    queue.add('a', 2000);
    clock.advance(499);
    await settle();
    assert.deepEqual(ran, []);
    clock.advance(1);
    await settle();
    assert.deepEqual(ran, ['a']);
    clock.advance(5000);
    await settle();
    assert.deepEqual(ran, ['a']);
    await queue.stop();
  });

  test('never runs one key twice at once and runs it again after a mid-run add', async () => {
    const clock = manualClock();
    let running = 0;
    let maxRunning = 0;
    let runs = 0;
    let release: () => void = () => {};
    const queue = startQueue({
      concurrency: 4,
      clock,
      handle: async () => {
        running++;
        runs++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        running--;
      },
    });
    queue.add('a');
    await settle();
    queue.add('a');
    queue.add('a');
    await settle();
    assert.equal(runs, 1);
    release();
    await settle();
    assert.equal(runs, 2);
    release();
    await settle();
    assert.equal(maxRunning, 1);
    await queue.stop();
  });

  test('bounds how many keys run at once and reports the depth', async () => {
    const clock = manualClock();
    const depths: number[] = [];
    const releases: (() => void)[] = [];
    let running = 0;
    let maxRunning = 0;
    const queue = startQueue({
      concurrency: 2,
      clock,
      onDepth: (d) => depths.push(d),
      handle: async () => {
        running++;
        maxRunning = Math.max(maxRunning, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running--;
      },
    });
    for (const key of ['a', 'b', 'c', 'd', 'e']) queue.add(key);
    await settle();
    assert.equal(running, 2);
    assert.equal(queue.depth(), 3);
    while (releases.length > 0) {
      releases.shift()?.();
      await settle();
    }
    assert.equal(maxRunning, 2);
    assert.equal(queue.depth(), 0);
    assert.ok(depths.includes(3));
    await queue.stop();
  });
});

describe('backoff', () => {
  test('doubles from two seconds up to the cap, with jitter between half and one and a half', () => {
    const mid = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(n, 60_000, undefined, mid)),
      [2000, 4000, 8000, 16000],
    );
    assert.equal(backoffDelay(20, 60_000, undefined, mid), 60_000);
    assert.equal(
      backoffDelay(1, 60_000, undefined, () => 0),
      1000,
    );
    assert.equal(
      backoffDelay(1, 60_000, undefined, () => 0.999),
      2998,
    );
  });
});
