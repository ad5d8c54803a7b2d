import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isValidRefName } from '@kustodian/shared/config/git-ref';
import { pullRequestBranch } from '../../src/github/pr-branch.ts';

test('names the same branch for the same images whatever their tags and order', () => {
  const first = pullRequestBranch(
    [
      { name: 'web', newTag: '1.0.0' },
      { name: 'api', newTag: '2.0.0' },
    ],
    'main',
  );
  const again = pullRequestBranch(
    [
      { name: 'api', digest: `sha256:${'a'.repeat(64)}` },
      { name: 'web', newTag: '1.1.0' },
    ],
    'main',
  );
  assert.equal(first, again);
  assert.match(first, /^kustodian\/bump-[0-9a-f]{12}$/);
  assert.ok(isValidRefName(first));
});

test('names different branches for other images or another base', () => {
  const web = pullRequestBranch([{ name: 'web', newTag: '1.0.0' }], 'main');
  assert.notEqual(web, pullRequestBranch([{ name: 'api', newTag: '1.0.0' }], 'main'));
  assert.notEqual(web, pullRequestBranch([{ name: 'web', newTag: '1.0.0' }], 'release'));
});
