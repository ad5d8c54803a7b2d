import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  durationSchema,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
} from '@kustodian/shared/config/duration';

describe('durations', () => {
  it('reads Go and Flux duration strings into milliseconds', () => {
    const cases: [string, number][] = [
      ['30s', 30_000],
      ['5m', 300_000],
      ['1h30m', 5_400_000],
      ['1h0m0s', 3_600_000],
      ['1.5h', 5_400_000],
      ['.5s', 500],
      ['250ms', 250],
      ['1.1s', 1100],
      ['1500us', 1.5],
      ['1500µs', 1.5],
      ['2000000ns', 2],
      ['+10s', 10_000],
      ['0', 0],
      ['0s', 0],
    ];
    for (const [text, ms] of cases) assert.equal(parseDuration(text), ms, text);
  });

  it('says what a duration looks like when the text is not one', () => {
    const notDurations = ['', '5', '5 m', '5M', 'five minutes', '1h30', 'm', '1d', '-5m', '1.2.3s'];
    for (const text of notDurations) {
      assert.throws(() => parseDuration(text), /is not a duration: /, text);
    }
    assert.throws(() => parseDuration('1d'), {
      message: '"1d" is not a duration: unknown unit "d" (units: ms, s, m, h)',
    });
    assert.throws(() => parseDuration('-5m'), {
      message: '"-5m" is not a duration: it must not be negative',
    });
    assert.throws(() => parseDuration('5'), {
      message:
        '"5" is not a duration: expected a duration like 30s, 5m or 1h30m (units: ms, s, m, h)',
    });
  });

  it('writes durations the short way', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [250, '250ms'],
      [1500, '1.5s'],
      [30_000, '30s'],
      [300_000, '5m'],
      [90_000, '1m30s'],
      [5_400_000, '1h30m'],
      [3_600_001, '1h0.001s'],
      [MAX_DURATION_MS, '596h'],
    ];
    for (const [ms, text] of cases) assert.equal(formatDuration(ms), text, String(ms));
  });

  it('reads back what it writes', () => {
    for (const ms of [
      0,
      1,
      999,
      1000,
      1001,
      59_999,
      61_000,
      3_599_999,
      3_600_000,
      86_399_123,
      MAX_DURATION_MS,
    ]) {
      assert.equal(parseDuration(formatDuration(ms)), ms, String(ms));
    }
  });

  it('checks bounds in a schema and outputs milliseconds', () => {
    const schema = durationSchema({ min: 10_000 });
    assert.equal(schema.parse('1m'), 60_000);
    assert.deepEqual(
      schema.safeParse('5s').error?.issues.map((issue) => issue.message),
      ['expected a duration between 10s and 596h'],
    );
    assert.deepEqual(
      schema.safeParse('5 minutes').error?.issues.map((issue) => issue.message),
      ['expected a duration like 30s, 5m or 1h30m (units: ms, s, m, h)'],
    );
    assert.equal(schema.safeParse('597h').success, false, 'longer than a Node.js timer can wait');
  });
});
