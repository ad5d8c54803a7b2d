import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepError } from '../../src/errors.ts';
import { parseImageUpdates } from '../../src/images/update.ts';

const HEX = '0123456789abcdef'.repeat(4);
const DIGEST = `sha256:${HEX}`;

/** Asserts that parsing fails on `line` of `source`, with a message matching `pattern`. */
function rejects(text: string, line: number, pattern: RegExp, source = 'images'): void {
  assert.throws(
    () => parseImageUpdates(text, source),
    (error) => {
      assert.ok(error instanceof StepError);
      assert.equal(error.step, 'parse');
      assert.equal(error.object, `${source} line ${line}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('parseImageUpdates', () => {
  test('reads every form, one per line', () => {
    const text = [
      'podinfo=6.1.0',
      'api=ghcr.io/org/api:1.2.3',
      'web=ghcr.io/org/web',
      `redis@${DIGEST}`,
      `cron=registry.example.com:5000/cron@${DIGEST}`,
      `worker=ghcr.io/org/worker:2.0@${DIGEST}`,
      'local=localhost:5000/dev/local:latest',
    ].join('\n');
    assert.deepEqual(parseImageUpdates(text), [
      { name: 'podinfo', newTag: '6.1.0' },
      { name: 'api', newName: 'ghcr.io/org/api', newTag: '1.2.3' },
      { name: 'web', newName: 'ghcr.io/org/web' },
      { name: 'redis', digest: DIGEST },
      { name: 'cron', newName: 'registry.example.com:5000/cron', digest: DIGEST },
      { name: 'worker', newName: 'ghcr.io/org/worker', newTag: '2.0', digest: DIGEST },
      { name: 'local', newName: 'localhost:5000/dev/local', newTag: 'latest' },
    ]);
  });

  test('ignores blank lines and comments and trims whitespace, CRLF included', () => {
    const text = '\r\n# the app\r\n   podinfo = 6.1.0  \r\n\t\r\n  # done\r\n';
    assert.deepEqual(parseImageUpdates(text), [{ name: 'podinfo', newTag: '6.1.0' }]);
    assert.deepEqual(parseImageUpdates(''), []);
  });

  test('takes a registry-qualified image as the name being matched', () => {
    assert.deepEqual(parseImageUpdates('ghcr.io/org/app=2.0'), [
      { name: 'ghcr.io/org/app', newTag: '2.0' },
    ]);
  });

  test('refuses the same name twice, naming both lines', () => {
    rejects(
      'podinfo=1\n\nredis=2\npodinfo=3',
      4,
      /"podinfo" is already updated on line 1; got "podinfo=3"/,
    );
  });

  test('refuses an uppercase repository on the line it is on', () => {
    rejects('ok=1\nMyApp=1.0', 2, /repository name must be lowercase.*got "MyApp=1.0"/);
    rejects('app=ghcr.io/Org/app:1', 1, /must be lowercase, got "Org"/);
  });

  test('refuses a bad tag', () => {
    rejects('app=-1', 1, /tag "-1" must start with a letter, a digit or "_"; got "app=-1"/);
    rejects('app=v1+meta', 1, /may contain only letters, digits/);
    rejects(`app=${'t'.repeat(129)}`, 1, /at most 128/);
  });

  test('refuses a short or uppercase digest', () => {
    rejects(
      `app@sha256:${HEX.slice(2)}`,
      1,
      /62 hex characters; expected sha256:<64 lowercase hex/,
    );
    rejects(`app=ghcr.io/a/app@sha256:${HEX.toUpperCase()}`, 1, /uppercase hex/);
    rejects(`app@md5:${HEX}`, 1, /algorithm "md5" is not supported/);
  });

  test('refuses a name that carries a tag or digest', () => {
    rejects('app:1.0=2.0', 1, /before "=" must not have a tag or digest/);
  });

  test('refuses a tag without "=" and lines of no known form', () => {
    rejects(`app:1.0@${DIGEST}`, 1, /a tag needs "=": write app=1.0/);
    rejects(
      'app:1.0',
      1,
      /expected name=tag, name=newName\[:tag\]\[@sha256:<hex>\] or name@sha256/,
    );
    rejects('app=', 1, /nothing after "="/);
    rejects('=1.0', 1, /nothing before "="/);
    rejects('app=:1.0', 1, /repository name is empty/);
  });

  test('refuses a name longer than 255 characters', () => {
    rejects(`app=ghcr.io/${'a'.repeat(250)}:1`, 1, /at most 255/);
  });

  test('names the source given in errors', () => {
    rejects('\n\nbad name=1', 3, /spaces/, 'with.images');
  });
});
