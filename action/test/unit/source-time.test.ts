import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sourceTimeOf } from '../../src/report/source-time.ts';

const sha = '5f1d3c0ffee5f1d3c0ffee5f1d3c0ffee5f1d3c0';

/** A `push` payload whose head commit is `id`, made at `timestamp` (GitHub writes an offset). */
function push(id: string, timestamp: unknown, ref = 'refs/heads/main'): unknown {
  return { ref, after: id, head_commit: { id, timestamp, message: 'Fix the cart' } };
}

describe('the app commit time from the workflow event', () => {
  it('is the head commit timestamp of a push of a branch or a tag, in UTC', () => {
    for (const ref of ['refs/heads/main', 'refs/tags/v1.2.0']) {
      const payload = push(sha, '2026-12-04T20:59:29+01:00', ref);
      assert.equal(sourceTimeOf({ name: 'push', payload }, sha), '2026-12-04T19:59:29Z');
    }
  });

  it('is nothing for a push whose head commit is not the commit of the run, or that has none', () => {
    const other = push('0'.repeat(40), '2026-12-04T20:59:29+01:00');
    assert.equal(sourceTimeOf({ name: 'push', payload: other }, sha), undefined);
    const deleted = { ref: 'refs/heads/gone', deleted: true, head_commit: null };
    assert.equal(sourceTimeOf({ name: 'push', payload: deleted }, sha), undefined);
  });

  it("is a release's created_at, the date GitHub gives the release's commit", () => {
    const payload = {
      action: 'published',
      release: {
        tag_name: 'v1.2.0',
        created_at: '2026-12-04T19:59:29Z',
        published_at: '2026-12-04T20:30:00Z',
      },
    };
    assert.equal(sourceTimeOf({ name: 'release', payload }, sha), '2026-12-04T19:59:29Z');
  });

  it('is nothing for a release without created_at, another event, or no event read', () => {
    const release = { action: 'published', release: { tag_name: 'v1.2.0' } };
    assert.equal(sourceTimeOf({ name: 'release', payload: release }, sha), undefined);
    const dispatch = { inputs: {}, ref: 'refs/heads/main' };
    assert.equal(sourceTimeOf({ name: 'workflow_dispatch', payload: dispatch }, sha), undefined);
    assert.equal(sourceTimeOf(undefined, sha), undefined);
  });

  it('is nothing when the payload says something that is not an RFC 3339 time', () => {
    for (const timestamp of ['yesterday', 1796414369, '2026-12-04 19:59:29', null]) {
      const payload = push(sha, timestamp);
      assert.equal(sourceTimeOf({ name: 'push', payload }, sha), undefined, String(timestamp));
    }
  });
});
