import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyGitUrl,
  gitUrlSchema,
  isInsecure,
  showGitUrl,
} from '@kustodian/shared/config/git-url';

describe('git URLs', () => {
  it('tells the accepted forms apart', () => {
    const cases: [string, string | undefined][] = [
      ['https://github.com/org/repo.git', 'https'],
      ['http://git.internal:8080/org/repo', 'http'],
      ['ssh://git@github.com/org/repo.git', 'ssh'],
      ['ssh://git@gitlab.example.com:2222/org/repo.git', 'ssh'],
      ['git@github.com:org/repo.git', 'scp'],
      ['github.com:org/repo.git', 'scp'],
      ['file:///srv/git/repo', 'file'],
      ['ftp://example.com/repo', undefined],
      ['https://', undefined],
      ['/srv/git/repo', undefined],
      ['org/repo', undefined],
      ['https://github.com/org/re po', undefined],
    ];
    for (const [url, kind] of cases) assert.equal(classifyGitUrl(url)?.kind, kind, url);
  });

  it('spots credentials in the URL but not an ssh user name', () => {
    const cases: [string, boolean][] = [
      ['https://user:pass@github.com/org/repo', true],
      ['https://ghp_abc@github.com/org/repo', true],
      ['ssh://git@github.com/org/repo', false],
      ['ssh://git:pass@github.com/org/repo', true],
      ['git@github.com:org/repo', false],
      ['git:pass@github.com:org/repo', true],
      ['https://github.com/org/repo', false],
    ];
    for (const [url, has] of cases) assert.equal(classifyGitUrl(url)?.hasCredentials, has, url);
  });

  it('flags plain http as insecure', () => {
    assert.equal(isInsecure('http://git.internal/org/repo'), true);
    assert.equal(isInsecure('HTTP://git.internal/org/repo'), true);
    assert.equal(isInsecure('https://git.internal/org/repo'), false);
    assert.equal(isInsecure('git@host:org/repo'), false);
  });

  it('shows an address without its credentials', () => {
    assert.equal(showGitUrl('https://u:p@h/x'), 'https://***@h/x');
    assert.equal(showGitUrl('git:p@ss@github.com:org/repo'), '***@github.com:org/repo');
    assert.equal(showGitUrl('git@github.com:org/repo'), 'git@github.com:org/repo');
  });

  it('refuses credentials with advice and without echoing them', () => {
    const schema = gitUrlSchema({ kinds: ['https', 'scp'], credentialsAdvice: 'use a Secret' });
    const result = schema.safeParse('https://bot:ghp_secret123@github.com/o/r', {
      reportInput: true,
    });
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.message, 'input' in issue ? issue.input : '']),
      [['expected no credentials in the URL; use a Secret', 'https://***@github.com/o/r']],
    );
    assert.deepEqual(
      schema.safeParse('ssh://git@h/x').error?.issues.map((issue) => issue.message),
      ['expected a git URL (https://, git@host:path)'],
    );
    assert.equal(schema.parse('git@h:x'), 'git@h:x');
  });
});
