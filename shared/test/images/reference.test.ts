import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { StepError } from '../../src/errors.ts';
import {
  checkImageReference,
  formatImageReference,
  isValidDigest,
  isValidTag,
  parseImageReference,
} from '../../src/images/reference.ts';

const HEX = '0123456789abcdef'.repeat(4);
const DIGEST = `sha256:${HEX}`;

/** The problem reported for `ref`, failing when it parses. */
function problemOf(ref: string): string {
  const checked = checkImageReference(ref);
  assert.equal(checked.ok, false, `${ref} should be rejected`);
  return checked.ok ? '' : checked.problem;
}

describe('parseImageReference', () => {
  test('reads a bare name', () => {
    assert.deepEqual(parseImageReference('nginx'), { name: 'nginx' });
  });

  test('reads a registry, a path, a tag and a digest', () => {
    assert.deepEqual(parseImageReference(`ghcr.io/stefanprodan/podinfo:6.1.0@${DIGEST}`), {
      name: 'ghcr.io/stefanprodan/podinfo',
      tag: '6.1.0',
      digest: DIGEST,
    });
  });

  test('tells a registry port from a tag', () => {
    assert.deepEqual(parseImageReference('registry.example.com:5000/team/app'), {
      name: 'registry.example.com:5000/team/app',
    });
    assert.deepEqual(parseImageReference('registry.example.com:5000/team/app:1.0'), {
      name: 'registry.example.com:5000/team/app',
      tag: '1.0',
    });
  });

  test('takes localhost as a registry, with or without a port', () => {
    assert.deepEqual(parseImageReference('localhost:5000/app:dev'), {
      name: 'localhost:5000/app',
      tag: 'dev',
    });
    assert.deepEqual(parseImageReference('localhost/app'), { name: 'localhost/app' });
  });

  test('reads a single component with a colon as name and tag, as docker does', () => {
    assert.deepEqual(parseImageReference('localhost:5000'), { name: 'localhost', tag: '5000' });
  });

  test('accepts the separators of the path grammar', () => {
    for (const name of ['a.b/c_d/e__f/g-h/i---j', 'library/ubuntu', '[::1]:5000/app']) {
      assert.deepEqual(parseImageReference(name), { name });
    }
  });

  test('accepts an uppercase registry host but not an uppercase path', () => {
    assert.deepEqual(parseImageReference('Registry.Example.com/app'), {
      name: 'Registry.Example.com/app',
    });
    assert.match(problemOf('ghcr.io/Org/app'), /must be lowercase, got "Org"/);
  });

  test('refuses an uppercase repository with a StepError naming the reference', () => {
    assert.throws(
      () => parseImageReference('MyApp:1.0'),
      (error) =>
        error instanceof StepError &&
        error.step === 'parse' &&
        error.object === 'MyApp:1.0' &&
        /repository name must be lowercase/.test(error.message),
    );
  });

  test('refuses separators at the ends or doubled where the grammar forbids them', () => {
    for (const ref of ['-app', 'app-', 'a..b', 'a___b', 'org//app', 'org/app/', '/app']) {
      assert.match(problemOf(ref), /path component|empty path component/, ref);
    }
  });

  test('refuses a bad registry host', () => {
    assert.match(problemOf('bad_host.io/app'), /registry "bad_host.io" is not a valid host/);
    assert.match(problemOf('host.io:port/app'), /not a valid host\[:port\]/);
  });

  test('refuses bad tags, saying what a tag may hold', () => {
    assert.match(problemOf('app:'), /tag after ":" is empty/);
    assert.match(problemOf('app:.hidden'), /must start with a letter, a digit or "_"/);
    assert.match(problemOf('app:v1+build'), /may contain only letters, digits/);
    assert.match(problemOf(`app:${'a'.repeat(129)}`), /129 characters long; at most 128/);
    assert.deepEqual(parseImageReference(`app:${'a'.repeat(128)}`).tag?.length, 128);
  });

  test('refuses short, uppercase and non-sha256 digests', () => {
    assert.match(problemOf(`app@sha256:${HEX.slice(0, 63)}`), /63 hex characters; expected sha256/);
    assert.match(problemOf(`app@sha256:${HEX.toUpperCase()}`), /uppercase hex/);
    assert.match(problemOf(`app@sha512:${HEX}${HEX}`), /algorithm "sha512" is not supported/);
    assert.match(problemOf(`app@${HEX}`), /has no algorithm/);
    assert.match(problemOf('app@'), /digest after "@" is empty/);
    assert.match(problemOf(`app@sha256:${HEX.slice(1)}g`), /other than hex digits/);
  });

  test('refuses a name longer than 255 characters', () => {
    const long = `registry.example.com/${'a'.repeat(235)}`;
    assert.equal(long.length, 256);
    assert.match(problemOf(long), /256 characters long; at most 255/);
    assert.deepEqual(parseImageReference(long.slice(0, 255)), { name: long.slice(0, 255) });
  });

  test('refuses empty references and spaces', () => {
    assert.match(problemOf(''), /empty string/);
    assert.match(problemOf('app :1'), /spaces/);
    assert.match(problemOf(':1.0'), /repository name is empty/);
  });
});

describe('formatImageReference', () => {
  test('writes back what it parsed', () => {
    for (const ref of [
      'nginx',
      'nginx:1.27',
      `nginx@${DIGEST}`,
      `localhost:5000/a/b:c@${DIGEST}`,
    ]) {
      assert.equal(formatImageReference(parseImageReference(ref)), ref);
    }
  });
});

describe('isValidTag and isValidDigest', () => {
  test('accept the OCI forms', () => {
    assert.ok(isValidTag('v1.2.3-rc.1_build'));
    assert.ok(isValidTag('_'));
    assert.ok(isValidDigest(DIGEST));
  });

  test('reject everything else', () => {
    for (const tag of ['', '-x', '.x', 'a/b', 'a:b', 'ſ', 'a'.repeat(129)]) {
      assert.equal(isValidTag(tag), false, tag);
    }
    for (const digest of [
      '',
      HEX,
      `sha256:${HEX.toUpperCase()}`,
      `sha256:${HEX}0`,
      `sha512:${HEX}`,
    ]) {
      assert.equal(isValidDigest(digest), false, digest);
    }
  });
});
