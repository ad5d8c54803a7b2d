/**
 * The pure parts of `kustodian rollback`: which files it writes and removes, which record of the
 * history `--to` names, and the commit message with its trailers.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { rollbackMessage } from '@kustodian/action/report/message';
import type { SyncRecord } from '@kustodian/query/applications';
import { matchRevision } from '@kustodian/query/rollback';
import { parseTrailers } from '../../reconciler/src/wiring/trailers.ts';
import { restorePlan, type TreeEntry } from '../src/rollback/restore.ts';

const file = (path: string, blob: string, mode = '100644'): TreeEntry => ({ path, mode, blob });
const a = 'a'.repeat(40);
const b = 'b'.repeat(40);

function record(commit: string, result = 'Succeeded'): SyncRecord {
  return {
    revision: `main@sha1:${commit}`,
    startedAt: '2026-01-01T00:00:00Z',
    finishedAt: '2026-01-01T00:00:01Z',
    result,
  };
}

describe('rollback plan', () => {
  test('writes back changed and missing files, removes added ones, and leaves equal ones', () => {
    const head = [file('app/a.yaml', '1'), file('app/new.yaml', '2'), file('app/same.yaml', '3')];
    const target = [
      file('app/a.yaml', '9'),
      file('app/gone.yaml', '8'),
      file('app/same.yaml', '3'),
    ];
    assert.deepEqual(restorePlan(head, target), {
      steps: [
        { path: 'app/a.yaml', kind: 'modified', blob: '9' },
        { path: 'app/gone.yaml', kind: 'added', blob: '8' },
        { path: 'app/new.yaml', kind: 'deleted' },
      ],
      unsupported: [],
    });
  });

  test('changes nothing when the head already holds the revision’s files', () => {
    const files = [file('app/a.yaml', '1'), file('app/b.yaml', '2', '100755')];
    assert.deepEqual(restorePlan(files, files), { steps: [], unsupported: [] });
  });

  test('refuses symbolic links and submodules it would have to change', () => {
    const plan = restorePlan(
      [file('app/link', '1', '120000'), file('app/sub', '2', '160000')],
      [file('app/link', '3', '120000')],
    );
    assert.deepEqual(plan.unsupported, ['app/link', 'app/sub']);
  });

  test('--to names a commit of the history by full hash, prefix or revision, newest record first', () => {
    const history = [record(a), record(b, 'Failed'), record(b)];
    const found = (to: string) => {
      const match = matchRevision(history, to);
      return match.kind === 'found' ? [match.commit, match.record.result] : match.kind;
    };
    assert.deepEqual(found(a), [a, 'Succeeded']);
    assert.deepEqual(found('bbbb'), [b, 'Failed']);
    assert.deepEqual(found(`main@sha1:${b}`), [b, 'Failed']);
    assert.deepEqual(found('BBBBBBB'), [b, 'Failed']);
    assert.equal(found('abc'), 'unknown', 'too short to be a prefix');
    assert.equal(found('c'.repeat(12)), 'unknown');
    assert.equal(found('not-a-hash'), 'unknown');
  });

  test('--to a prefix of two commits is ambiguous', () => {
    const history = [record(`ab${'1'.repeat(38)}`), record(`ab${'2'.repeat(38)}`)];
    assert.deepEqual(matchRevision(history, 'ab11').kind, 'found');
    assert.deepEqual(matchRevision(history, 'ab').kind, 'unknown');
    const both = matchRevision(
      [record(`abcd${'1'.repeat(36)}`), record(`abcd${'2'.repeat(36)}`)],
      'abcd',
    );
    assert.equal(both.kind, 'ambiguous');
  });

  test('the message names the Application and the revision in trailers the reconciler reads', () => {
    const message = rollbackMessage({
      application: 'team/web',
      path: 'apps/web',
      revision: a,
      headline: 'Bump web to 1.2.0',
      source: { repository: 'acme/web', sha: b },
    });
    assert.equal(message.split('\n')[0], 'Roll back team/web to aaaaaaaaaaaa');
    assert.deepEqual(parseTrailers(message), {
      'Kustodian-Rollback-To': a,
      'Kustodian-Application': 'team/web',
      'Kustodian-Source-Repository': 'acme/web',
      'Kustodian-Source-Commit': b,
    });
    const bare = rollbackMessage({
      ...{ application: 'team/web', path: '.', revision: a, headline: 'x' },
      source: {},
    });
    assert.deepEqual(Object.keys(parseTrailers(bare)), [
      'Kustodian-Rollback-To',
      'Kustodian-Application',
    ]);
  });
});
