import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactAll, redactText, redactUrl, redactUrlsIn } from '@kustodian/shared/redact';
import { execa } from 'execa';

const token = 'ghs_16C7e42F292c6912E7710c838347Ae178B4a';

describe('redactUrl', () => {
  it('hides userinfo of every scheme', () => {
    const cases: [string, string][] = [
      ['https://user:s3cret@github.com/org/repo.git', 'https://***@github.com/org/repo.git'],
      [`https://x-access-token:${token}@github.com/org/repo`, 'https://***@github.com/org/repo'],
      [`https://${token}@github.com/org/repo`, 'https://***@github.com/org/repo'],
      [
        'ssh://git:hunter22@gitlab.example.com:2222/org/repo.git',
        'ssh://***@gitlab.example.com:2222/org/repo.git',
      ],
      ['http://a:p@ss@10.0.0.1/x.git', 'http://***@10.0.0.1/x.git'],
      ['HTTPS://User:Pass@Example.com/', 'HTTPS://***@Example.com/'],
    ];
    for (const [url, redacted] of cases) assert.equal(redactUrl(url), redacted);
  });

  it('hides credential query parameters but keeps their names', () => {
    assert.equal(
      redactUrl('https://acct.blob.core.windows.net/c/x?sv=2022-11-02&sig=AbC%2Bd&se=2030'),
      'https://acct.blob.core.windows.net/c/x?sv=2022-11-02&sig=***&se=2030',
    );
    assert.equal(
      redactUrl('https://gitlab.example.com/api?private_token=glpat-x&Access_Token=y#frag'),
      'https://gitlab.example.com/api?private_token=***&Access_Token=***#frag',
    );
    assert.equal(redactUrl('https://h/x?token=t&password=p'), 'https://h/x?token=***&password=***');
  });

  it('leaves addresses without credentials as written', () => {
    for (const url of [
      'https://github.com/org/repo.git',
      'git@github.com:org/repo.git',
      'https://h/x?ref=main&tokens=fine',
      'file:///tmp/repo',
    ]) {
      assert.equal(redactUrl(url), url);
    }
  });

  it('hides a bare x-access-token userinfo outside a URL', () => {
    assert.equal(
      redactUrl(`remote: x-access-token:${token}@github.com/org/repo`),
      'remote: x-access-token:***@github.com/org/repo',
    );
  });
});

describe('redactUrlsIn', () => {
  it('finds credentials in git error output', () => {
    const stderr = [
      "Cloning into 'repo'...",
      `fatal: unable to access 'https://user:${token}@github.com/org/x.git/': The requested URL returned error: 403`,
      `error: failed to push some refs to 'https://x-access-token:${token}@github.com/org/x.git'`,
    ].join('\n');
    const redacted = redactUrlsIn(stderr);
    assert.equal(
      redacted,
      [
        "Cloning into 'repo'...",
        "fatal: unable to access 'https://***@github.com/org/x.git/': The requested URL returned error: 403",
        "error: failed to push some refs to 'https://***@github.com/org/x.git'",
      ].join('\n'),
    );
  });

  it('cleans the message of a real failed git command that had credentials in its arguments', async () => {
    const url = `https://x-access-token:${token}@127.0.0.1:1/org/x.git?access_token=${token}`;
    const failure = await execa('git', ['ls-remote', url], {
      reject: false,
      env: { GIT_TERMINAL_PROMPT: '0' },
    });
    assert.notEqual(failure.exitCode, 0);
    const message = String(failure.message);
    assert.ok(message.includes(token), 'the raw message does carry the token');
    const redacted = redactUrlsIn(message);
    assert.ok(!redacted.includes(token), redacted);
    assert.match(
      redacted,
      /git ls-remote '?https:\/\/\*\*\*@127\.0\.0\.1:1\/org\/x\.git\?access_token=\*\*\*/,
    );
    assert.match(redacted, /fatal: unable to access/);
  });

  it('hides Authorization header values', () => {
    const text =
      'git -c http.extraheader=AUTHORIZATION: basic eC1hY2Nlc3MtdG9rZW46Z2hzX2FiYw== fetch origin';
    assert.equal(
      redactUrlsIn(text),
      'git -c http.extraheader=AUTHORIZATION: basic *** fetch origin',
    );
    assert.equal(redactUrlsIn('Authorization: Bearer abc.def.ghi'), 'Authorization: Bearer ***');
  });
});

describe('redactText', () => {
  it('replaces every occurrence of a known secret', () => {
    assert.equal(
      redactText(`token ${token} and again ${token}.`, [token]),
      'token *** and again ***.',
    );
  });

  it('replaces the URL-encoded and JSON-escaped forms', () => {
    const password = 'p@ss/w0rd "quoted"';
    const text = `url https://u:${encodeURIComponent(password)}@h/ json {"password":${JSON.stringify(password)}}`;
    const redacted = redactText(text, [password]);
    assert.equal(redacted, 'url https://u:***@h/ json {"password":"***"}');
  });

  it('replaces the base64 form, alone or inside a longer encoded value at any offset', () => {
    for (const user of ['x-access-token', 'x-access-tokenA', 'x-access-tokenAB', '']) {
      const header = Buffer.from(`${user}:${token}`).toString('base64');
      const text = `AUTHORIZATION: basic ${header}`;
      const redacted = redactText(text, [token]);
      assert.ok(!redacted.includes(header), `offset ${user.length + 1}: ${redacted}`);
      // At most the 4-character groups that mix the secret with its neighbours survive.
      const [before = '', after = ''] = redacted.replace('AUTHORIZATION: basic ', '').split('***');
      assert.ok(before.length <= Math.ceil((user.length + 1) / 3) * 4, `before: ${before}`);
      assert.ok(after.length <= 4, `after: ${after}`);
    }
    const alone = Buffer.from(token).toString('base64');
    assert.equal(redactText(`data: ${alone}`, [token]), 'data: ***');
  });

  it('replaces each line of a multi-line secret on its own', () => {
    const key = [
      '-----BEGIN OPENSSH PRIVATE KEY-----',
      'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW',
      'QyNTUxOQAAACDxcJ0EHmPKQ0CGH0tbc1c3Oq0o2ZbYvX5TcHm4a3tzGQAAAJgD9f3YA/X9',
      '-----END OPENSSH PRIVATE KEY-----',
    ].join('\n');
    const partial = `load key: invalid format near ${key.split('\n')[2]}`;
    assert.equal(redactText(partial, [key]), 'load key: invalid format near ***');
    assert.equal(redactText(`whole:\n${key}\n`, [key]), 'whole:\n***\n');
  });

  it('ignores secrets too short to tell apart from ordinary text', () => {
    assert.equal(redactText('abc is fine', ['abc', '']), 'abc is fine');
    assert.equal(redactText('nothing known', []), 'nothing known');
  });

  it('combines known secrets and URL credentials in one call', () => {
    const text = `push to https://bot:${token}@github.com/o/r failed; token was ${token}`;
    assert.equal(
      redactAll(text, [token]),
      'push to https://***@github.com/o/r failed; token was ***',
    );
  });
});
