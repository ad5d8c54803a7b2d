/**
 * How many terminal rows `get --watch` moves up before it redraws (cli/src/commands/get-watch.ts):
 * a line wider than the terminal wraps and takes more than one.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { screenLines } from '../src/commands/get-watch.ts';

describe('screenLines', () => {
  test('each line is one row when it fits, colours not counted', () => {
    assert.equal(screenLines('NAME   READY\n\u001b[32mweb\u001b[39m    True\n', 20), 2);
  });

  test('a line wider than the terminal takes as many rows as it wraps onto', () => {
    assert.equal(screenLines(`${'x'.repeat(45)}\nshort\n`, 20), 4);
  });

  test('without a known width every line counts once', () => {
    assert.equal(screenLines(`${'x'.repeat(500)}\n\n`, 0), 2);
  });
});
