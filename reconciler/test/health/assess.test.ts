import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseManifests } from '@kustodian/shared/manifests/parse';
import { assess, summarize } from '../../src/health/assess.ts';
import { healthSeverity, healthStatuses } from '../../src/health/status.ts';
import { stringMap } from '../../src/kube/object.ts';

const testdata = join(import.meta.dirname, 'testdata');
const expected = 'expected.kustodian.dev';
const fixtures = readdirSync(testdata)
  .filter((file) => file.endsWith('.yaml'))
  .sort();

test('has at least 25 fixtures, each naming its expected status', () => {
  assert.ok(fixtures.length >= 25, `only ${fixtures.length} fixtures`);
});

for (const file of fixtures) {
  const [parsed] = parseManifests(readFileSync(join(testdata, file), 'utf8'), file);
  assert.ok(parsed, `${file} holds no object`);
  const annotations = stringMap(parsed.object, 'annotations');
  const status = annotations[`${expected}/status`];
  const reason = annotations[`${expected}/reason`];
  const now = annotations[`${expected}/now`];
  test(`${file.replace(/\.yaml$/, '')} is ${status}${reason ? ` (${reason})` : ''}`, () => {
    assert.ok(
      status && (healthStatuses as readonly string[]).includes(status),
      `${file}: bad expected status`,
    );
    const result = assess(parsed.object, now ? { now: Date.parse(now) } : {});
    assert.equal(result.status, status, `${file}: ${result.reason}: ${result.message}`);
    if (reason) assert.equal(result.reason, reason, `${file}: ${result.message}`);
    assert.notEqual(result.message, '', `${file}: a verdict says why`);
  });
}

test('a missing object is NotFound', () => {
  assert.deepEqual(assess(undefined), {
    status: 'NotFound',
    reason: 'NotFound',
    message: 'Resource not found',
  });
});

test('ranks failures above missing, unknown, terminating, in-progress and current objects', () => {
  const order = [...healthStatuses].sort((a, b) => healthSeverity[b] - healthSeverity[a]);
  assert.deepEqual(order, [
    'Failed',
    'NotFound',
    'Unknown',
    'Terminating',
    'InProgress',
    'Current',
  ]);
});

test('summarizes a set by its worst status and names the objects that are not Current', () => {
  const summary = summarize([
    { id: 'ConfigMap/web/a', status: 'Current', reason: 'Exists', message: 'ok' },
    {
      id: 'apps/Deployment/web/b',
      status: 'InProgress',
      reason: 'LessReady',
      message: 'Ready: 1/3',
    },
    {
      id: 'batch/Job/web/c',
      status: 'Failed',
      reason: 'JobFailed',
      message: 'Job Failed. failed: 6/1',
    },
  ]);
  assert.equal(summary.status, 'Failed');
  assert.equal(summary.counts.Current, 1);
  assert.equal(summary.counts.InProgress, 1);
  assert.equal(summary.counts.Failed, 1);
  assert.deepEqual(
    summary.notCurrent.map((result) => result.id),
    ['batch/Job/web/c', 'apps/Deployment/web/b'],
  );
  assert.equal(
    summary.message,
    '2 of 3 objects not Current: batch/Job/web/c Failed: Job Failed. failed: 6/1; apps/Deployment/web/b InProgress: Ready: 1/3',
  );
});

test('an empty set is Current', () => {
  const summary = summarize([]);
  assert.equal(summary.status, 'Current');
  assert.equal(summary.message, 'all 0 objects are Current');
});
