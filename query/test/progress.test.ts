/**
 * The steps of a sync as `sync --wait` shows them (query/src/progress.ts), from states of an
 * Application's status: before the reconciler took the request, while it applies a new
 * revision, done and healthy, and failed at one step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { summarize } from '../src/applications.ts';
import type { RawApplication } from '../src/kube.ts';
import { progressLine, syncProgress } from '../src/progress.ts';

const requestedAt = '2026-12-03T12:00:00.000Z';

function app(status: Record<string, unknown>, handled = requestedAt): RawApplication {
  return {
    metadata: {
      name: 'web',
      namespace: 'team',
      annotations: { 'kustodian.dev/requested-at': requestedAt },
    },
    status: { lastHandledRequestedAt: handled, lastAttemptedRevision: 'main@sha1:abc', ...status },
  };
}
const line = (raw: RawApplication) => progressLine(syncProgress(summarize(raw), raw, requestedAt));
const ready = (status: string, reason: string, message = '') => ({
  conditions: [{ type: 'Ready', status, reason, message }],
});

describe('syncProgress', () => {
  test('before the reconciler takes the request, fetch waits for it', () => {
    assert.equal(
      line(app(ready('True', 'ReconciliationSucceeded'), 'earlier')),
      'fetch … waiting for the reconciler to take the request  render ·  apply ·  prune ·  health ·',
    );
  });

  test('while a new revision is applied, fetch is done and render runs', () => {
    const status = {
      conditions: [
        {
          type: 'Ready',
          status: 'Unknown',
          reason: 'Progressing',
          message: 'applying revision main@sha1:abc',
        },
        {
          type: 'Reconciling',
          status: 'True',
          reason: 'Progressing',
          message: 'applying revision main@sha1:abc',
        },
      ],
    };
    assert.equal(
      line(app(status)),
      'fetch ✓  render … applying revision main@sha1:abc  apply ·  prune ·  health ·',
    );
  });

  test('done and healthy: every step is done, with the inventory and the health counts', () => {
    const status = {
      ...ready('True', 'ReconciliationSucceeded'),
      inventory: { entries: [{ id: 'a' }, { id: 'b' }, { id: 'c' }] },
      health: { status: 'Healthy', counts: { Current: 3 } },
    };
    assert.equal(
      line(app(status)),
      'fetch ✓  render ✓  apply ✓ 3/3 objects  prune ✓  health ✓ 3/3 current',
    );
  });

  test('applied but still rolling out: health runs with its counts', () => {
    const status = {
      ...ready('True', 'ReconciliationSucceeded'),
      inventory: { entries: [{ id: 'a' }, { id: 'b' }] },
      health: { status: 'Progressing', counts: { Current: 1, InProgress: 1 } },
    };
    assert.equal(
      line(app(status)),
      'fetch ✓  render ✓  apply ✓ 2/2 objects  prune ✓  health … 1/2 current',
    );
  });

  test('a failure marks its own step failed with the message, earlier steps done, later ones pending', () => {
    assert.equal(
      line(app(ready('False', 'BuildFailed', 'kustomize build: missing.yaml'))),
      'fetch ✓  render ✗ kustomize build: missing.yaml  apply ·  prune ·  health ·',
    );
    assert.equal(
      line(app(ready('False', 'AuthFailed', 'git: 401'))),
      'fetch ✗ git: 401  render ·  apply ·  prune ·  health ·',
    );
    assert.equal(
      line(app(ready('False', 'PruneFailed', 'could not prune'))),
      'fetch ✓  render ✓  apply ✓ 0/0 objects  prune ✗ could not prune  health ·',
    );
  });
});
