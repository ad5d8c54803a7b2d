import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CommitSummary, Comparison } from '../../src/github/api.ts';
import {
  type BranchState,
  blobSha,
  carriesTrailers,
  holdsExactly,
  moveRefusal,
  nextParents,
} from '../../src/github/branch-ownership.ts';

const base = 'b'.repeat(40);
const path = 'apps/web/kustomization.yaml';
const content = 'images:\n  - name: web\n    newTag: 2.0.0\n';
const ours =
  'Bump web to 2.0.0\n\nKustodian-Workflow-Run: https://github.com/acme/web/actions/runs/1';

/** A commit with `message`, named by `letter`. */
function commit(letter: string, message: string, parents: string[]): CommitSummary {
  return { sha: letter.repeat(40), message, tree: 't'.repeat(40), parents };
}

/** The action's branch: one commit on `base` changing `path` to `content`. */
function branch(overrides: Partial<BranchState> = {}): BranchState {
  const head = commit('c', ours, [base]);
  return {
    branch: 'kustodian/bump-0123456789ab',
    head,
    againstBase: {
      aheadBy: 1,
      behindBy: 0,
      commits: [head],
      files: [{ path, status: 'modified', sha: blobSha(content) }],
    },
    ...overrides,
  };
}

/** The action's branch after a later run: its first commit, then a merge of the base. */
function mergedBranch(below: CommitSummary): BranchState {
  const head = commit('e', ours, [below.sha, base]);
  return branch({
    head,
    againstBase: {
      aheadBy: 2,
      behindBy: 0,
      commits: [below, head],
      files: [{ path, status: 'modified', sha: blobSha(content) }],
    },
  });
}

describe('the pull request branch', () => {
  test('may be moved when its head and every commit the base lacks carry the action’s trailers', () => {
    assert.equal(moveRefusal(branch(), 'main'), undefined);
    assert.equal(moveRefusal(mergedBranch(commit('c', ours, ['a'.repeat(40)])), 'main'), undefined);
    const merged = branch({ againstBase: { aheadBy: 0, behindBy: 3, commits: [], files: [] } });
    assert.equal(moveRefusal(merged, 'main'), undefined);
  });

  test('may not be moved when its head lacks the trailers, a commit the base lacks does, or it has another history', () => {
    const foreign = branch({ head: commit('d', 'Fix by hand', []) });
    assert.match(
      moveRefusal(foreign, 'main') ?? '',
      /its head dddddddddddd was not made by this action/,
    );
    const underneath = mergedBranch(commit('f', 'Release notes\n\nby hand', ['a'.repeat(40)]));
    assert.match(
      moveRefusal(underneath, 'main') ?? '',
      /^its commit ffffffffffff \(Release notes\), which main lacks, was not made by this action/,
    );
    const unlisted = branch({
      againstBase: { aheadBy: 300, behindBy: 0, commits: [branch().head], files: [] },
    });
    assert.match(moveRefusal(unlisted, 'main') ?? '', /GitHub listed 1 of the 300 commits/);
    const unrelated = branch({ againstBase: 'unrelated' });
    assert.match(moveRefusal(unrelated, 'main') ?? '', /shares no history with main/);
  });

  test('holds the change exactly: same files, same contents, on top of the base head it was read with', () => {
    assert.equal(holdsExactly(branch(), [{ path, content }]), true);
    assert.equal(
      holdsExactly(mergedBranch(commit('c', ours, ['a'.repeat(40)])), [{ path, content }]),
      true,
    );
    const behind = branch({
      againstBase: { ...(branch().againstBase as Comparison), behindBy: 1 },
    });
    assert.equal(holdsExactly(behind, [{ path, content }]), false, 'the base head is not in it');
    assert.equal(holdsExactly(branch(), [{ path, content: `${content}#\n` }]), false);
    assert.equal(
      holdsExactly(branch(), [
        { path, content },
        { path: 'other.yaml', content: 'x: 1\n' },
      ]),
      false,
    );
    const removed = branch({
      againstBase: {
        aheadBy: 1,
        behindBy: 0,
        commits: [branch().head],
        files: [{ path, status: 'removed', sha: '' }],
      },
    });
    assert.equal(holdsExactly(removed, [{ path, content }]), false);
  });

  test('holds a change that removes a file when the branch lists it as removed', () => {
    const state = (status: string) =>
      branch({
        againstBase: {
          aheadBy: 1,
          behindBy: 0,
          commits: [branch().head],
          files: [
            { path, status: 'modified', sha: blobSha(content) },
            { path: 'apps/web/old.yaml', status, sha: 'e'.repeat(40) },
          ],
        },
      });
    const changes = [
      { path, content },
      { path: 'apps/web/old.yaml', deleted: true as const },
    ];
    assert.equal(holdsExactly(state('removed'), changes), true);
    assert.equal(holdsExactly(state('modified'), changes), false, 'still there, changed');
    assert.equal(holdsExactly(state('added'), changes), false, 'added instead');
  });

  test('takes its next commit onto the base head, onto its head, or as a merge of both', () => {
    const merged = branch({ againstBase: { aheadBy: 0, behindBy: 2, commits: [], files: [] } });
    assert.deepEqual(nextParents(merged, base), [base], 'its head is in the base head');
    assert.deepEqual(nextParents(branch(), base), ['c'.repeat(40)], 'the base head is in it');
    const behind = branch({
      againstBase: { ...(branch().againstBase as Comparison), behindBy: 1 },
    });
    assert.deepEqual(nextParents(behind, 'd'.repeat(40)), ['c'.repeat(40), 'd'.repeat(40)]);
  });

  test('knows the action’s commits by their trailers, anywhere in the message', () => {
    assert.equal(carriesTrailers(ours), true);
    assert.equal(carriesTrailers('Bump\n\nKustodian-Source-Commit: abc\nSigned-off-by: x'), true);
    assert.equal(carriesTrailers('Bump\n\nSource: acme/web'), false);
    assert.equal(carriesTrailers('Mentions Kustodian-Source-Commit: in prose'), false);
    const rollback =
      'Roll back team/web to 0123456789ab\n\nKustodian-Rollback-To: 0123\nKustodian-Application: team/web';
    assert.equal(carriesTrailers(rollback), true, 'a rollback commit is the action’s too');
  });

  test('names a blob as git does', () => {
    assert.equal(blobSha(''), 'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391');
    assert.equal(blobSha('hello\n'), 'ce013625030ba8dba906f756967f9e9ca394464a');
  });
});
