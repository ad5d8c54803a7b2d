import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type BranchState,
  blobSha,
  carriesTrailers,
  holdsExactly,
  moveRefusal,
} from '../../src/github/branch-ownership.ts';

const base = 'b'.repeat(40);
const path = 'apps/web/kustomization.yaml';
const content = 'images:\n  - name: web\n    newTag: 2.0.0\n';
const ours =
  'Bump web to 2.0.0\n\nKustodian-Workflow-Run: https://github.com/acme/web/actions/runs/1';

/** The action's branch: one commit on `base` changing `path` to `content`. */
function branch(overrides: Partial<BranchState> = {}): BranchState {
  return {
    branch: 'kustodian/bump-0123456789ab',
    head: { sha: 'c'.repeat(40), message: ours, parents: [base] },
    againstBase: {
      aheadBy: 1,
      behindBy: 0,
      files: [{ path, status: 'modified', sha: blobSha(content) }],
    },
    ...overrides,
  };
}

describe('the pull request branch', () => {
  test('may be moved when all it holds beyond the base is the action’s commit', () => {
    assert.equal(moveRefusal(branch(), 'main'), undefined);
    const merged = branch({ againstBase: { aheadBy: 0, behindBy: 3, files: [] } });
    assert.equal(moveRefusal(merged, 'main'), undefined);
  });

  test('may not be moved when its head lacks the trailers, holds more, or has another history', () => {
    const foreign = branch({ head: { sha: 'd'.repeat(40), message: 'Fix by hand', parents: [] } });
    assert.match(moveRefusal(foreign, 'main') ?? '', /dddddddddddd was not made by this action/);
    const more = branch({ againstBase: { aheadBy: 3, behindBy: 0, files: [] } });
    assert.match(moveRefusal(more, 'main') ?? '', /holds 3 commits that main lacks/);
    const unrelated = branch({ againstBase: 'unrelated' });
    assert.match(moveRefusal(unrelated, 'main') ?? '', /shares no history with main/);
  });

  test('holds the change exactly: same files, same contents, on the same base head', () => {
    assert.equal(holdsExactly(branch(), base, [{ path, content }]), true);
    assert.equal(holdsExactly(branch(), 'e'.repeat(40), [{ path, content }]), false);
    assert.equal(holdsExactly(branch(), base, [{ path, content: `${content}#\n` }]), false);
    assert.equal(
      holdsExactly(branch(), base, [
        { path, content },
        { path: 'other.yaml', content: 'x: 1\n' },
      ]),
      false,
    );
    const removed = branch({
      againstBase: { aheadBy: 1, behindBy: 0, files: [{ path, status: 'removed', sha: '' }] },
    });
    assert.equal(holdsExactly(removed, base, [{ path, content }]), false);
  });

  test('knows the action’s commits by their trailers, anywhere in the message', () => {
    assert.equal(carriesTrailers(ours), true);
    assert.equal(carriesTrailers('Bump\n\nKustodian-Source-Commit: abc\nSigned-off-by: x'), true);
    assert.equal(carriesTrailers('Bump\n\nSource: acme/web'), false);
    assert.equal(carriesTrailers('Mentions Kustodian-Source-Commit: in prose'), false);
  });

  test('names a blob as git does', () => {
    assert.equal(blobSha(''), 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    assert.equal(blobSha('hello\n'), 'ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
