/**
 * The pure trace over Applications and live workloads (query/src/trace.ts), from YAML fixtures:
 * which containers match an image or a commit, and which bump commit, app commit and "since"
 * each row names.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import type { RawApplication } from '../src/kube.ts';
import type { LiveObject } from '../src/objects.ts';
import { imageMatches, parseTraceTarget, type TraceTarget, traceTarget } from '../src/trace.ts';

const docs = parseAllDocuments(
  await readFile(new URL('testdata/trace-app.yaml', import.meta.url), 'utf8'),
).map((d) => d.toJS() as LiveObject);
const [app, web, report] = docs as [RawApplication & LiveObject, LiveObject, LiveObject];
const live = new Map([
  ['apps/Deployment/team/web', web],
  ['batch/CronJob/team/report', report],
]);

function target(text: string): TraceTarget {
  const parsed = parseTraceTarget(text);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed;
}

const trace = (text: string) =>
  traceTarget(target(text), [app], live, 'prod').map(
    (h) => `${h.object.kind}/${h.object.name} ${h.container} ${h.matched}`,
  );

describe('trace', () => {
  test('an image with a tag matches the containers running that tag, the CronJob template included', () => {
    assert.deepEqual(trace('ghcr.io/acme/web:1.4.3'), [
      'Deployment/web web image',
      'CronJob/report report image',
    ]);
  });

  test('an image without a tag matches every tag; another tag or name matches nothing', () => {
    assert.equal(trace('ghcr.io/acme/web').length, 2);
    assert.deepEqual(trace('ghcr.io/acme/web:1.4.2'), []);
    assert.deepEqual(trace('ghcr.io/acme/we'), []);
  });

  test('nginx, library/nginx and docker.io/library/nginx:latest name the same image', () => {
    for (const name of [
      'nginx',
      'library/nginx',
      'docker.io/library/nginx:latest',
      'docker.io/nginx',
    ])
      assert.deepEqual(trace(name), ['Deployment/web proxy image'], name);
    assert.equal(imageMatches({ name: 'nginx', tag: 'latest' }, 'nginx:1.27'), false);
  });

  test('the bump commit is the newest applied one with trailers, and since is its first apply', () => {
    const [hit] = traceTarget(target('ghcr.io/acme/web:1.4.3'), [app], live, 'prod');
    assert.equal(hit?.bumpCommit, 'abc1230000000000000000000000000000000000');
    assert.equal(hit?.appliedCommit, 'def4560000000000000000000000000000000000');
    assert.equal(hit?.appCommit, '9be1c0d2a7f30000000000000000000000000000');
    assert.equal(hit?.since, '2026-12-03T10:00:05Z');
    assert.equal(hit?.cluster, 'prod');
    assert.deepEqual([hit?.health, hit?.healthy], ['Current', true]);
  });

  test('a commit prefix matches the bump commit, the applied commit or the app commit, not an older bump', () => {
    assert.deepEqual(trace('abc1230'), [
      'Deployment/web migrate bump-commit',
      'Deployment/web web bump-commit',
      'Deployment/web proxy bump-commit',
      'CronJob/report report bump-commit',
    ]);
    assert.equal(trace('def4560')[0], 'Deployment/web migrate applied-commit');
    assert.equal(trace('9be1c0d2')[0], 'Deployment/web migrate app-commit');
    assert.deepEqual(trace('1111111'), []);
  });

  test('text that is neither a commit nor an image reference is a problem, not a target', () => {
    assert.match(
      (parseTraceTarget('Web App') as { problem: string }).problem,
      /^Web App is neither a commit \(7 to 64 hex digits\) nor an image: /,
    );
    assert.equal((parseTraceTarget('abc1234') as TraceTarget).kind, 'commit');
    assert.equal((parseTraceTarget('abc123') as TraceTarget).kind, 'image');
  });
});
