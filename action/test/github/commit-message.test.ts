import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitCommitMessage } from '../../src/github/commit-message.ts';

test('uses a one-line message as the headline alone', () => {
  assert.deepEqual(splitCommitMessage('Bump app to 2.0.0\n'), { headline: 'Bump app to 2.0.0' });
});

test('splits the headline from the body and drops the blank lines between them', () => {
  assert.deepEqual(splitCommitMessage('Bump app\n\n\nSource: acme/app@abc\nRun: https://x/1\n\n'), {
    headline: 'Bump app',
    body: 'Source: acme/app@abc\nRun: https://x/1',
  });
});

test('keeps the indentation of the body and reads CRLF line endings', () => {
  assert.deepEqual(splitCommitMessage('Bump\r\n\r\n  - app: 2.0.0\r\n'), {
    headline: 'Bump',
    body: '  - app: 2.0.0',
  });
});
