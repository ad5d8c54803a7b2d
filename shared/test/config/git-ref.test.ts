import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isValidRefName, refNameProblem } from '@kustodian/shared/config/git-ref';
import { execa } from 'execa';

/** Names on both sides of every rule of `git check-ref-format`. */
const samples = [
  'main',
  'release/1.4',
  'refs/heads/main',
  'feature/äpfel',
  'v1.2.3',
  'a@b',
  'x.lockfile',
  'bump/api@1.4',
  '@',
  '',
  'a..b',
  'a b',
  'tab\there',
  'new\nline',
  'del\u007f',
  'a~1',
  'a^2',
  'a:b',
  'a?b',
  'a*b',
  'a[b',
  'a\\b',
  'a@{1}',
  '/main',
  'main/',
  'a//b',
  'main.',
  '.hidden',
  'a/.hidden',
  'main.lock',
  'a.lock/b',
  'a/b.lock',
];

async function gitAccepts(name: string): Promise<boolean> {
  const result = await execa('git', ['check-ref-format', '--allow-onelevel', name], {
    reject: false,
  });
  return result.exitCode === 0;
}

describe('git ref names', () => {
  it('agrees with git check-ref-format on every rule', async () => {
    for (const name of samples) {
      assert.equal(isValidRefName(name), await gitAccepts(name), JSON.stringify(name));
    }
  });

  it('also refuses a leading dash, which git would read as an option', () => {
    assert.equal(refNameProblem('-main'), 'starts with "-"');
    assert.equal(refNameProblem('--upload-pack=evil'), 'starts with "-"');
    assert.equal(isValidRefName('a-b'), true);
  });

  it('says which rule a name breaks', () => {
    assert.equal(refNameProblem('a..b'), 'contains ".."');
    assert.equal(refNameProblem('main.lock'), 'has a part ending with ".lock"');
    assert.equal(refNameProblem('a@{1}'), 'contains "@{"');
    assert.equal(refNameProblem('a~1'), 'contains one of ~ ^ : ? * [ \\');
    assert.equal(refNameProblem('new\nline'), 'contains spaces or control characters');
    assert.equal(refNameProblem('@'), 'is "@"');
    assert.equal(refNameProblem('.hidden/x'), 'has a part starting with "."');
    assert.equal(refNameProblem('main'), undefined);
  });
});
