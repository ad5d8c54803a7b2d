import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { managedByLabel, managedByValue } from '@kustodian/shared/apply/ownership';
import { localEnv } from '../../../test/env/for-tests.ts';
import { startDriftHub } from '../../src/drift/hub.ts';
import { assess } from '../../src/health/assess.ts';
import { waitFor } from '../../src/health/wait.ts';
import type { ChangeFeed, ChangeListener } from '../../src/kube/changes.ts';
import type { KubeClient } from '../../src/kube/client.ts';
import { manualClock } from '../../src/kube/clock.ts';
import type { KubeObject, KubeRef } from '../../src/kube/object.ts';
import { countsSince } from '../../src/kube/requests.ts';
import { testKube } from '../kube/support.ts';

const env = localEnv();

/** A `get` that answers from a table the test changes as time goes by. */
function table(objects: Map<string, KubeObject | Error>) {
  return {
    get: async (ref: KubeRef) => {
      const found = objects.get(ref.name);
      if (found instanceof Error) throw found;
      return found;
    },
  };
}

const job = (name: string, condition?: 'Complete' | 'Failed'): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name, namespace: 'web' },
  status: condition ? { conditions: [{ type: condition, status: 'True' }] } : {},
});
const ref = (name: string): KubeRef => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  namespace: 'web',
  name,
});

/** Lets every pending promise callback run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

test('waits until every object is Current', async () => {
  const clock = manualClock();
  const objects = new Map<string, KubeObject | Error>([
    ['a', job('a', 'Complete')],
    ['b', job('b')],
  ]);
  const waiting = waitFor([ref('a'), ref('b')], {
    kube: table(objects),
    timeoutMs: 10_000,
    intervalMs: 1000,
    clock,
  });
  await settle();
  objects.set('b', job('b', 'Complete'));
  clock.advance(1000);
  const result = await waiting;
  assert.equal(result.outcome, 'Current');
  assert.equal(result.elapsedMs, 1000);
  assert.deepEqual(
    result.results.map((r) => r.status),
    ['Current', 'Current'],
  );
});

test('an object found Current is not assessed again at the same resourceVersion', async () => {
  const at = (object: KubeObject, resourceVersion: string): KubeObject => ({
    ...object,
    metadata: { ...object.metadata, resourceVersion },
  });
  const currentAt = new Map();
  const options = (objects: Map<string, KubeObject | Error>) => ({
    kube: table(objects),
    timeoutMs: 0,
    clock: manualClock(),
    currentAt,
  });
  const done = await waitFor([ref('a')], options(new Map([['a', at(job('a', 'Complete'), '5')]])));
  assert.equal(done.outcome, 'Current');
  assert.equal(currentAt.get('batch/Job/web/a')?.resourceVersion, '5');
  // The same stored object (a copy that could never be stored so proves it was not assessed).
  const same = await waitFor([ref('a')], options(new Map([['a', at(job('a'), '5')]])));
  assert.equal(same.outcome, 'Current');
  const rewritten = await waitFor([ref('a')], options(new Map([['a', at(job('a'), '6')]])));
  assert.equal(rewritten.outcome, 'TimedOut');
  assert.equal(currentAt.has('batch/Job/web/a'), false);
});

test('stops at the first Failed object without waiting for the rest', async () => {
  const objects = new Map<string, KubeObject | Error>([
    ['a', job('a', 'Failed')],
    ['b', job('b')],
  ]);
  const result = await waitFor([ref('a'), ref('b')], {
    kube: table(objects),
    timeoutMs: 60_000,
    clock: manualClock(),
  });
  assert.equal(result.outcome, 'Failed');
  assert.equal(result.summary.status, 'Failed');
  assert.match(result.summary.message, /^2 of 2 objects not Current: batch\/Job\/web\/a Failed/);
});

test('times out with the last health of each object, a missing one NotFound', async () => {
  const clock = manualClock();
  const objects = new Map<string, KubeObject | Error>([['a', job('a')]]);
  const waiting = waitFor([ref('a'), ref('gone')], {
    kube: table(objects),
    timeoutMs: 2500,
    intervalMs: 1000,
    clock,
  });
  for (let i = 0; i < 3; i++) {
    await settle();
    clock.advance(1000);
  }
  const result = await waiting;
  assert.equal(result.outcome, 'TimedOut');
  assert.deepEqual(
    result.results.map((r) => [r.id, r.status]),
    [
      ['batch/Job/web/a', 'InProgress'],
      ['batch/Job/web/gone', 'NotFound'],
    ],
  );
});

test('a read that fails counts as Unknown and the wait goes on', async () => {
  const clock = manualClock();
  const objects = new Map<string, KubeObject | Error>([['a', new Error('connection reset')]]);
  const polls: string[] = [];
  const waiting = waitFor([ref('a')], {
    kube: table(objects),
    timeoutMs: 10_000,
    intervalMs: 1000,
    clock,
    onPoll: (results) => polls.push(`${results[0]?.status}: ${results[0]?.message}`),
  });
  await settle();
  objects.set('a', job('a', 'Complete'));
  clock.advance(1000);
  assert.equal((await waiting).outcome, 'Current');
  assert.deepEqual(polls, ['Unknown: connection reset', 'Current: Job Completed. succeeded: 0/1']);
});

test('an abort (a new revision) ends the wait at once', async () => {
  const controller = new AbortController();
  const clock = manualClock();
  const waiting = waitFor([ref('a')], {
    kube: table(new Map([['a', job('a')]])),
    timeoutMs: 600_000,
    clock,
    signal: controller.signal,
  });
  await settle();
  controller.abort(new Error('revision b2c3 arrived'));
  const result = await waiting;
  assert.equal(result.outcome, 'Aborted');
  assert.equal(result.elapsedMs, 0);
});

test('starts from objects just seen and does not read an object again once it is Current', async () => {
  const clock = manualClock();
  const objects = new Map<string, KubeObject | Error>([
    ['a', job('a', 'Complete')],
    ['b', job('b')],
  ]);
  const reads: string[] = [];
  const kube = {
    get: async (at: KubeRef) => {
      reads.push(at.name);
      return table(objects).get(at);
    },
  };
  const waiting = waitFor([ref('a'), ref('b')], {
    kube,
    known: new Map([
      ['batch/Job/web/a', job('a', 'Complete')],
      ['batch/Job/web/b', job('b')],
    ]),
    timeoutMs: 10_000,
    intervalMs: 1000,
    clock,
  });
  await settle();
  assert.deepEqual(reads, [], 'the first poll reads nothing');
  objects.set('b', job('b', 'Complete'));
  clock.advance(1000);
  assert.equal((await waiting).outcome, 'Current');
  assert.deepEqual(reads, ['b'], 'only the object that was not Current is read again');
});

/** A feed the test drives: it tells the listener what the test says, once following began. */
function handFeed() {
  let listener: ChangeListener | undefined;
  let followed: string[] = [];
  let stopped = 0;
  const feed: ChangeFeed = {
    follow: (refs, given) => {
      listener = given;
      followed = refs.map((r) => r.name);
      return { ready: Promise.resolve(), stop: () => void stopped++ };
    },
  };
  const tell = (name: string, object: KubeObject | undefined) =>
    listener?.onObject(`batch/Job/web/${name}`, object);
  return {
    feed,
    tell,
    missed: () => listener?.onMissed(),
    followed: () => followed,
    stopped: () => stopped,
  };
}

/** A `get` from a table that also records the names it read. */
function recordedTable(objects: Map<string, KubeObject>) {
  const reads: string[] = [];
  return {
    reads,
    kube: {
      get: async (ref: KubeRef) => {
        reads.push(ref.name);
        return objects.get(ref.name);
      },
    },
  };
}

describe('a wait that follows changes', () => {
  test('judges an object from the event that brings it, without reading it again or waiting for a poll', async () => {
    const clock = manualClock();
    const objects = new Map([
      ['a', job('a', 'Complete')],
      ['b', job('b')],
    ]);
    const { reads, kube } = recordedTable(objects);
    const hand = handFeed();
    const waiting = waitFor([ref('a'), ref('b')], {
      kube,
      timeoutMs: 60_000,
      changes: hand.feed,
      clock,
    });
    await settle();
    assert.deepEqual(hand.followed(), ['a', 'b']);
    assert.deepEqual(reads.sort(), ['a', 'b'], 'each object is read once after following began');
    hand.tell('b', job('b', 'Complete'));
    const result = await waiting;
    assert.equal(result.outcome, 'Current');
    assert.equal(result.elapsedMs, 0, 'no poll interval passed');
    assert.deepEqual(reads.sort(), ['a', 'b'], 'nothing was read after the first poll');
    assert.equal(hand.stopped(), 1, 'the following ends with the wait');
  });

  test('reads again an object just written that is not Current: it may have changed before the following began', async () => {
    const clock = manualClock();
    const objects = new Map([
      ['a', job('a', 'Complete')],
      ['b', job('b', 'Complete')],
    ]);
    const { reads, kube } = recordedTable(objects);
    const result = await waitFor([ref('a'), ref('b')], {
      kube,
      timeoutMs: 60_000,
      changes: handFeed().feed,
      // As the writes answered: `a` done, `b` not yet.
      known: new Map([
        ['batch/Job/web/a', job('a', 'Complete')],
        ['batch/Job/web/b', job('b')],
      ]),
      clock,
    });
    assert.equal(result.outcome, 'Current');
    assert.deepEqual(reads, ['b']);
  });

  test('a deleted object is NotFound, and a Failed one ends the wait', async () => {
    const clock = manualClock();
    const { kube } = recordedTable(
      new Map([
        ['a', job('a')],
        ['b', job('b')],
      ]),
    );
    const hand = handFeed();
    const seen: string[][] = [];
    const waiting = waitFor([ref('a'), ref('b')], {
      kube,
      timeoutMs: 60_000,
      changes: hand.feed,
      clock,
      onPoll: (results) => seen.push(results.map((r) => r.status)),
    });
    await settle();
    hand.tell('a', undefined);
    await settle();
    hand.tell('b', job('b', 'Failed'));
    const result = await waiting;
    assert.equal(result.outcome, 'Failed');
    assert.deepEqual(seen, [
      ['InProgress', 'InProgress'],
      ['NotFound', 'InProgress'],
      ['NotFound', 'Failed'],
    ]);
  });

  test('an abort while the following is not ready yet ends the wait as Aborted', async () => {
    const stop = new AbortController();
    const feed: ChangeFeed = {
      follow: () => ({ ready: new Promise(() => {}), stop: () => {} }),
    };
    const waiting = waitFor([ref('a')], {
      kube: recordedTable(new Map()).kube,
      timeoutMs: 60_000,
      changes: feed,
      clock: manualClock(),
      signal: stop.signal,
    });
    await settle();
    stop.abort(new Error('a newer revision'));
    assert.equal((await waiting).outcome, 'Aborted');
  });

  test('polls when the feed missed changes, and every interval when no change comes', async () => {
    const clock = manualClock();
    const objects = new Map([['a', job('a')]]);
    const { reads, kube } = recordedTable(objects);
    const hand = handFeed();
    const waiting = waitFor([ref('a')], {
      kube,
      timeoutMs: 60_000,
      intervalMs: 5000,
      changes: hand.feed,
      clock,
    });
    await settle();
    assert.equal(reads.length, 1);
    hand.missed();
    await settle();
    assert.equal(reads.length, 2, 'read again at once after missed changes');
    clock.advance(4999);
    await settle();
    assert.equal(reads.length, 2, 'no poll before the interval');
    objects.set('a', job('a', 'Complete'));
    clock.advance(1);
    const result = await waiting;
    assert.equal(result.outcome, 'Current');
    assert.equal(reads.length, 3);
  });
});

describe('waiting for a real rollout', () => {
  let kube: KubeClient;
  let ns: string;
  before(async () => {
    kube = testKube(env().kc);
    ns = await env().createNamespace('health-wait');
  });
  after(async () => {
    await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: ns });
  });

  test('sees a Deployment go from InProgress to Current as controller-manager, scheduler and kwok roll it out', async () => {
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: ns },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }],
            tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
    };
    // Right after the apply nothing has rolled out yet; the rollout itself can finish before the
    // first poll on a fast machine, so the starting point is assessed from what apply returned.
    const applied = await kube.apply(deployment);
    const seen: string[] = [assess(applied).status];
    const result = await waitFor(
      [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'web' }],
      {
        kube,
        timeoutMs: 60_000,
        intervalMs: 250,
        onPoll: (results) => {
          const status = results[0]?.status ?? 'Unknown';
          if (seen.at(-1) !== status) seen.push(status);
        },
      },
    );
    assert.equal(result.outcome, 'Current', result.summary.message);
    assert.deepEqual(seen, ['InProgress', 'Current']);
    assert.match(result.results[0]?.message ?? '', /Deployment is available. Replicas: 2/);
  });

  test('following the Deployment through the drift hub, hears its rollout end with one read and no poll', async () => {
    const deployment = (name: string): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name,
        namespace: ns,
        labels: { [managedByLabel]: managedByValue },
      },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            containers: [{ name: 'web', image: 'registry.example/web:1.0.0' }],
            tolerations: [{ key: 'kwok.x-k8s.io/node', operator: 'Exists', effect: 'NoSchedule' }],
          },
        },
      },
    });
    const hub = startDriftHub({ kube });
    try {
      const applied = await kube.apply(deployment('followed'));
      const before = kube.requestCounts();
      const result = await waitFor(
        [{ apiVersion: 'apps/v1', kind: 'Deployment', namespace: ns, name: 'followed' }],
        {
          kube,
          changes: hub,
          known: new Map([[`apps/Deployment/${ns}/followed`, applied]]),
          timeoutMs: 60_000,
          // No poll comes within the test's time: only the watch's events can end the wait.
          intervalMs: 600_000,
        },
      );
      assert.equal(result.outcome, 'Current', result.summary.message);
      assert.match(result.results[0]?.message ?? '', /Deployment is available. Replicas: 2/);
      const made = countsSince(before, kube.requestCounts());
      assert.equal(
        made.get + made.list - 1,
        1,
        `one read besides the watch's start: ${JSON.stringify(made)}`,
      );
      assert.equal(made.watch, 1);
    } finally {
      await hub.stop();
    }
  });
});
