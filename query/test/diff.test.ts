/**
 * The pure part of `kustodian diff` (query/src/diff.ts, line-diff.ts): what counts as a change
 * between a live object and its dry run, the unified diff of their YAML, and Secret values
 * never shown.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AppliedObject } from '@kustodian/shared/apply/object';
import { hasDifferences, objectDiff, pruneDiff, summarize } from '../src/diff.ts';
import { unifiedDiff } from '../src/line-diff.ts';

const live: AppliedObject = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: {
    name: 'settings',
    namespace: 'team',
    uid: 'a1',
    resourceVersion: '41',
    creationTimestamp: '2026-12-01T00:00:00Z',
    managedFields: [{ manager: 'kustodian', operation: 'Apply' }],
  },
  data: { mode: 'blue', size: 'm' },
};

describe('objectDiff', () => {
  test('a dry run that differs only in server-set metadata and status is unchanged', () => {
    const after = {
      ...live,
      metadata: { ...live.metadata, resourceVersion: '42', managedFields: [] },
      status: { seen: true },
    };
    const diff = objectDiff({ id: 'ConfigMap/team/settings', live, after });
    assert.equal(diff.action, 'unchanged');
    assert.deepEqual(diff.paths, []);
    assert.equal(diff.diff, '');
  });

  test('a changed value is an update naming its field, with a unified diff of the YAML', () => {
    const after = { ...live, data: { mode: 'green', size: 'm' } };
    const diff = objectDiff({ id: 'ConfigMap/team/settings', live, after });
    assert.equal(diff.action, 'update');
    assert.deepEqual(diff.paths, ['data.mode']);
    assert.equal(diff.kind, 'ConfigMap');
    assert.equal(diff.namespace, 'team');
    assert.match(
      diff.diff,
      /^--- live\/ConfigMap\/team\/settings\n\+\+\+ sync\/ConfigMap\/team\/settings\n@@ /,
    );
    assert.match(diff.diff, /^- {2}mode: blue\n\+ {2}mode: green$/m);
    assert.doesNotMatch(diff.diff, /resourceVersion|managedFields|uid/);
  });

  test('an object that does not exist is a creation of its top-level fields', () => {
    const diff = objectDiff({ id: 'ConfigMap/team/settings', after: live });
    assert.equal(diff.action, 'create');
    assert.deepEqual(diff.paths, ['data', 'metadata.name', 'metadata.namespace']);
    assert.match(
      diff.diff,
      /^--- \/dev\/null\n\+\+\+ sync\/ConfigMap\/team\/settings\n@@ -0,0 \+1,\d+ @@\n\+apiVersion: v1\n\+kind: ConfigMap\n/,
    );
  });

  test('a Secret shows *** for its values, and (before) and (after) for a changed one', () => {
    const secret: AppliedObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name: 'creds',
        annotations: {
          'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"token":"c2VjcmV0"}}',
        },
      },
      data: { token: 'c2VjcmV0', user: 'YWRtaW4=' },
    };
    const after = { ...secret, data: { token: 'b3RoZXI=', user: 'YWRtaW4=' } };
    const diff = objectDiff({ id: 'Secret/team/creds', live: secret, after });
    assert.deepEqual(diff.paths, ['data.token']);
    assert.match(diff.diff, /^- {2}token: "\*\*\* \(before\)"\n\+ {2}token: "\*\*\* \(after\)"$/m);
    assert.match(diff.diff, /^ {3}user: "\*\*\*"$/m);
    for (const value of ['c2VjcmV0', 'b3RoZXI=', 'YWRtaW4=']) assert.ok(!diff.diff.includes(value));
  });
});

describe('summarize', () => {
  test('counts by action, and only unchanged objects are no differences', () => {
    const unchanged = objectDiff({ id: 'ConfigMap/team/settings', live, after: live });
    assert.equal(hasDifferences(summarize([unchanged])), false);
    const summary = summarize([unchanged, pruneDiff('ConfigMap/team/old', live)]);
    assert.deepEqual(summary, {
      create: 0,
      update: 0,
      prune: 1,
      unchanged: 1,
      drift: 0,
      failed: 0,
    });
    assert.equal(hasDifferences(summary), true);
  });
});

describe('unifiedDiff', () => {
  test('is empty for the same text, and keeps three lines of context around each change', () => {
    assert.equal(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y'), '');
    const before = `${[...'abcdefghij'].join('\n')}\n`;
    const after = before.replace('e', 'E');
    assert.equal(
      unifiedDiff(before, after, 'x', 'y'),
      '--- x\n+++ y\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n',
    );
  });

  test('changes far apart are separate hunks', () => {
    const before = `${Array.from({ length: 20 }, (_, i) => `l${i}`).join('\n')}\n`;
    const after = before.replace('l1\n', 'L1\n').replace('l18', 'L18');
    const hunks = unifiedDiff(before, after, 'x', 'y').match(/^@@ .* @@$/gm);
    assert.deepEqual(hunks, ['@@ -1,5 +1,5 @@', '@@ -16,5 +16,5 @@']);
  });
});
