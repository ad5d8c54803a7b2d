/**
 * The pure timeline (query/src/timeline.ts) from YAML fixtures: the steps of a change that
 * became healthy, failed to apply, is being applied, or never became healthy, and of a traced
 * image whose bump was followed by another config commit; with the commit times the status
 * records, and without them in a status written before they were.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { durationText, shortCommits } from '../src/format.ts';
import type { RawApplication } from '../src/kube.ts';
import type { LiveObject } from '../src/objects.ts';
import { type Timeline, timelinesOf } from '../src/timeline.ts';
import { parseTraceTarget, type TraceTarget, traceTarget } from '../src/trace.ts';

async function fixture(name: string): Promise<(RawApplication & LiveObject)[]> {
  const text = await readFile(new URL(`testdata/${name}`, import.meta.url), 'utf8');
  return parseAllDocuments(text).map((d) => d.toJS() as RawApplication & LiveObject);
}

const apps = await fixture('timeline-apps.yaml');

function target(text: string): TraceTarget {
  const parsed = parseTraceTarget(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

/** `step state at afterMs detail`, one line per step. */
const lines = (t: Timeline | undefined) =>
  (t?.steps ?? []).map((s) =>
    `${s.step} ${s.state} ${s.at || '-'} ${s.afterMs ?? '-'} ${s.detail}`.trim(),
  );

const timelines = (text: string) => timelinesOf(target(text), apps, [], 'prod');

describe('timeline', () => {
  test('a bump applied and healthy: app commit and its time from the trailers, the bump at its commit time, fetched and applied from the first sync, healthy from the condition', () => {
    const [web, ...rest] = timelines('aaa1110');
    assert.deepEqual(rest, []);
    assert.deepEqual(web?.application, { namespace: 'shop', name: 'web' });
    assert.equal(web?.matched, 'config-commit');
    assert.equal(web?.commit, 'aaa1110000000000000000000000000000000000');
    assert.equal(web?.revision, 'main@sha1:aaa1110000000000000000000000000000000000');
    assert.equal(web?.appRepository, 'acme/web');
    assert.equal(web?.workflowRun, 'https://github.com/acme/web/actions/runs/42');
    assert.equal(web?.state, 'done');
    assert.deepEqual(lines(web), [
      'app-commit done 2026-12-03T09:58:00Z - acme/web@9be1c0d2a7f30000000000000000000000000000',
      'bump-commit done 2026-12-03T09:59:30Z 90000 aaa1110000000000000000000000000000000000',
      'fetched done 2026-12-03T10:00:00Z 30000',
      'applied done 2026-12-03T10:00:10Z 10000',
      'healthy done 2026-12-03T10:00:30Z 20000 all healthy',
    ]);
  });

  test('the app commit finds the config commit that brought it, and the same steps', () => {
    const [web] = timelines('9be1c0d2');
    assert.equal(web?.matched, 'app-commit');
    assert.equal(web?.commit, 'aaa1110000000000000000000000000000000000');
    assert.equal(lines(web).at(-1), 'healthy done 2026-12-03T10:00:30Z 20000 all healthy');
  });

  test('a bump that failed to apply is failed at applied, with the reason, and healthy is pending', () => {
    const [api] = timelines('bbb2220');
    assert.equal(api?.state, 'failed');
    assert.equal(api?.appCommit, '2222222222222222222222222222222222222222');
    assert.deepEqual(lines(api), [
      'app-commit done 2026-12-03T10:00:20Z - 2222222222222222222222222222222222222222',
      'bump-commit done 2026-12-03T10:00:40Z 20000 bbb2220000000000000000000000000000000000',
      'fetched done 2026-12-03T10:00:55Z 15000',
      'applied failed 2026-12-03T10:01:00Z 5000 ApplyFailed',
      'healthy pending - -',
    ]);
  });

  test('a bump being applied, in a status written before commit times, is fetched (when the reconciler said so) and pending after, the commits without a time', () => {
    const [worker] = timelines('ccc3330');
    assert.equal(worker?.state, 'pending');
    assert.deepEqual(lines(worker), [
      'app-commit unknown - - the config commit carries no Kustodian-Source-Commit trailer',
      'bump-commit done - - ccc3330000000000000000000000000000000000',
      'fetched done 2026-12-03T10:02:00Z -',
      'applied pending - -',
      'healthy pending - -',
    ]);
  });

  test('a rollout that never became healthy is applied but failed at healthy, with the message', () => {
    const [queue] = timelines('ddd4440');
    assert.equal(queue?.state, 'failed');
    assert.deepEqual(lines(queue).slice(3), [
      'applied done 2026-12-03T10:13:00Z 600000 the health check failed',
      'healthy failed 2026-12-03T10:13:00Z 0 Deployment/shop/queue: CrashLoopBackOff',
    ]);
  });

  test('an older revision: healthy where it still runs, unknown where a newer one was applied over it', () => {
    const found = timelines('0001110');
    assert.deepEqual(
      found.map((t) => `${t.application.name} ${t.steps.at(-1)?.state} ${t.steps.at(-1)?.detail}`),
      [
        'api done all healthy',
        'queue unknown a newer revision was synced since',
        'web unknown a newer revision was synced since',
        'worker unknown no Healthy condition yet',
      ],
    );
  });

  test('a commit no status names has no timeline', () => {
    assert.deepEqual(timelines('eee5550'), []);
  });

  test('an image follows the bump of the workloads running it, even after a later config commit', async () => {
    const [app, deployment] = await fixture('trace-app.yaml');
    assert.ok(app && deployment);
    const image = target('ghcr.io/acme/web:1.4.3');
    const hits = traceTarget(
      image,
      [app],
      new Map([['apps/Deployment/team/web', deployment]]),
      'prod',
    );
    const [web, ...rest] = timelinesOf(image, [app], hits, 'prod');
    assert.deepEqual(rest, []);
    assert.equal(web?.matched, 'image');
    assert.equal(web?.commit, 'abc1230000000000000000000000000000000000');
    assert.equal(web?.appCommit, '9be1c0d2a7f30000000000000000000000000000');
    assert.deepEqual(lines(web).slice(2), [
      'fetched done 2026-12-03T10:00:00Z -',
      'applied done 2026-12-03T10:00:05Z 5000',
      'healthy unknown - - no Healthy condition yet',
    ]);
  });

  test('durations between steps read in their largest unit, and full commits in details are cut to 12 digits', () => {
    assert.deepEqual([850, 42_000, 300_000, 3 * 3_600_000].map(durationText), [
      '850ms',
      '42s',
      '5m',
      '3h',
    ]);
    const sha = 'aaa1110000000000000000000000000000000000';
    assert.equal(shortCommits(`acme/web@${sha}`), 'acme/web@aaa111000000');
    assert.equal(shortCommits('reconciling main@sha1:3f2c1ab'), 'reconciling main@sha1:3f2c1ab');
  });
});
