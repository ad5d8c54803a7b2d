import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { parsePushEvent, repoKey, signBody, verifySignature } from '../../src/server/github.ts';

const secret = 'webhook-secret';
const body = Buffer.from('{"zen":"Keep it logically awesome."}');
const goodHeader = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

describe('webhook signature', () => {
  it('accepts the HMAC-SHA256 of the raw body under the secret', () => {
    assert.equal(verifySignature(secret, body, goodHeader), true);
    assert.equal(signBody(secret, body), goodHeader);
  });

  it('accepts the hex digest in upper case', () => {
    const upper = `sha256=${goodHeader.slice(7).toUpperCase()}`;
    assert.equal(verifySignature(secret, body, upper), true);
  });

  it('refuses a missing header, another secret, another body and a malformed header', () => {
    assert.equal(verifySignature(secret, body, undefined), false);
    assert.equal(verifySignature('other', body, goodHeader), false);
    assert.equal(verifySignature(secret, Buffer.from(`${body} `), goodHeader), false);
    assert.equal(verifySignature(secret, body, goodHeader.slice(0, -2)), false);
    assert.equal(verifySignature(secret, body, `${goodHeader}00`), false);
    assert.equal(verifySignature(secret, body, goodHeader.replace('sha256=', 'sha1=')), false);
    assert.equal(verifySignature(secret, body, 'sha256=zz'), false);
    assert.equal(verifySignature(secret, body, ''), false);
  });
});

describe('repository keys', () => {
  const same = [
    'https://github.com/Org/Repo',
    'https://github.com/org/repo.git',
    'https://github.com/org/repo/',
    'https://github.com/org/repo.git/',
    'http://github.com/org/repo',
    'git@github.com:org/repo.git',
    'git@github.com:org/repo',
    'ssh://git@github.com/org/repo.git',
    'ssh://git@github.com:22/org/repo.git',
    'git://github.com/org/repo.git',
    'https://user@github.com/org/repo.git',
  ];

  it('gives every address form of one repository the same key', () => {
    for (const url of same) assert.equal(repoKey(url), 'github.com/org/repo', url);
  });

  it('keeps different repositories and hosts apart', () => {
    assert.equal(repoKey('https://github.com/org/other'), 'github.com/org/other');
    assert.equal(repoKey('git@gitlab.com:org/repo.git'), 'gitlab.com/org/repo');
    assert.equal(
      repoKey('https://git.example.com/group/sub/repo.git'),
      'git.example.com/group/sub/repo',
    );
  });

  it('returns nothing for text that is not a repository address', () => {
    for (const text of [
      '',
      'not a url',
      'file:///srv/repo.git',
      'https://github.com/',
      'git@github.com:',
    ]) {
      assert.equal(repoKey(text), undefined, text);
    }
  });
});

describe('push payloads', () => {
  const push = {
    ref: 'refs/heads/main',
    before: '0'.repeat(40),
    after: 'a'.repeat(40),
    repository: {
      full_name: 'org/repo',
      clone_url: 'https://github.com/org/repo.git',
      ssh_url: 'git@github.com:org/repo.git',
      html_url: 'https://github.com/org/repo',
      git_url: 'git://github.com/org/repo.git',
    },
  };

  it('reads the ref, the new commit and one key for the repository', () => {
    assert.deepEqual(parsePushEvent(JSON.stringify(push)), {
      ok: true,
      push: { urls: ['github.com/org/repo'], ref: 'refs/heads/main', after: 'a'.repeat(40) },
    });
  });

  it('keeps every distinct address, sorted', () => {
    const mirrored = {
      ...push,
      repository: {
        clone_url: 'https://ghe.example.com/org/repo.git',
        ssh_url: 'git@ssh.ghe.example.com:org/repo.git',
      },
    };
    const parsed = parsePushEvent(Buffer.from(JSON.stringify(mirrored)));
    assert.ok(parsed.ok);
    assert.deepEqual(parsed.push.urls, [
      'ghe.example.com/org/repo',
      'ssh.ghe.example.com/org/repo',
    ]);
  });

  it('reports bodies that are not pushes as problems', () => {
    assert.deepEqual(parsePushEvent('{'), { ok: false, problem: 'the body is not JSON' });
    assert.deepEqual(parsePushEvent('[1]'), {
      ok: false,
      problem: 'the body is not a JSON object',
    });
    assert.deepEqual(parsePushEvent('{"ref":"x"}'), {
      ok: false,
      problem: 'the push names no repository',
    });
    assert.deepEqual(parsePushEvent('{"repository":{"clone_url":42}}'), {
      ok: false,
      problem: 'the push names no repository address',
    });
  });
});
