import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { globListSchema, relativePathProblem, splitList } from '@kustodian/shared/config/paths';

describe('relative paths', () => {
  it('accepts paths and globs inside the repository', () => {
    for (const path of ['.', 'overlays/prod', './apps/*/overlays/**', 'a..b/c', '.hidden/x']) {
      assert.equal(relativePathProblem(path), undefined, path);
    }
  });

  it('refuses paths that are absolute or climb out', () => {
    const cases: [string, string][] = [
      ['/etc/passwd', 'is absolute'],
      ['\\\\server\\share', 'is absolute'],
      ['C:\\repo', 'is absolute'],
      ['c:/repo', 'is absolute'],
      ['..', 'contains ".." segments'],
      ['overlays/../../secrets', 'contains ".." segments'],
      ['overlays\\..\\x', 'contains ".." segments'],
      ['a\nb', 'contains control characters'],
      ['', 'is empty'],
    ];
    for (const [path, problem] of cases) assert.equal(relativePathProblem(path), problem, path);
  });

  it('splits lists written per line or with commas', () => {
    assert.deepEqual(splitList('a, b\n\n  c  \r\nd,'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(splitList(''), []);
  });

  it('names the index of each bad entry in a glob list', () => {
    const result = globListSchema().safeParse('overlays/*\n../other\n/abs');
    assert.deepEqual(
      result.error?.issues.map((issue) => [issue.path, issue.message]),
      [
        [[1], 'expected a relative glob inside the repository, but it contains ".." segments'],
        [[2], 'expected a relative glob inside the repository, but it is absolute'],
      ],
    );
    assert.deepEqual(globListSchema().parse('a/*, b/**'), ['a/*', 'b/**']);
  });

  it('keeps exclusions (`!glob`) and checks the glob after the `!`', () => {
    assert.deepEqual(globListSchema().parse('!a/*\n!!b'), ['!a/*', '!!b']);
    const result = globListSchema().safeParse('!../other\n!/abs');
    assert.deepEqual(
      result.error?.issues.map((issue) => issue.path),
      [[0], [1]],
    );
  });
});
