import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commitTime } from '@kustodian/shared/time';

describe('commitTime', () => {
  it('writes an RFC 3339 time in UTC to the second, whatever offset and fraction it was given', () => {
    const cases: [string, string][] = [
      ['2026-12-04T19:59:29Z', '2026-12-04T19:59:29Z'],
      ['2026-12-04T19:59:29+02:00', '2026-12-04T17:59:29Z'],
      ['2026-12-04T19:59:29.123-05:30', '2026-12-05T01:29:29Z'],
      ['2026-12-31T23:30:00-01:00', '2027-01-01T00:30:00Z'],
      ['2026-12-04t19:59:29z', '2026-12-04T19:59:29Z'],
      ['  2026-12-04T19:59:29Z\n', '2026-12-04T19:59:29Z'],
    ];
    for (const [text, expected] of cases) assert.equal(commitTime(text), expected, text);
  });

  it('is no time for text that is not an RFC 3339 date-time or names no real instant', () => {
    for (const text of [
      undefined,
      '',
      'yesterday',
      '1796414369',
      '2026-12-04',
      '2026-12-04 19:59:29Z',
      '2026-12-04T19:59:29',
      '2026-02-30T00:00:00Z',
      '2026-12-04T25:00:00Z',
      '2026-12-04T19:59:29Z; rm -rf /',
    ]) {
      assert.equal(commitTime(text), undefined, String(text));
    }
  });
});
