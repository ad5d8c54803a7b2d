/**
 * What the pull request branch holds, read before `commit: pull-request` touches it: whether the
 * action may move it, and whether it already is the change the run would make.
 *
 * The lander only ever fast-forwards the branch (see `pull-request-lander.ts`), so nothing on it
 * is lost; still, it adds commits only to a branch that is the action's own. A commit is the
 * action's when its message carries one of the action's trailers (`Kustodian-Source-Repository`,
 * `Kustodian-Source-Commit`, `Kustodian-Workflow-Run`, or a rollback's `Kustodian-Rollback-To`,
 * `Kustodian-Application`), and the branch is the action's when its head and every commit on it
 * that the base head lacks are (the bump or rollback commits and the merge commits the action
 * makes to bring the branch up to the base). A branch people share
 * (`pr-branch: release`), the action's branch after someone pushed to it or merged into it by
 * hand, and a branch with another history are refused and left as they are.
 */
import { createHash } from 'node:crypto';
import type { FileChange } from '../land/types.ts';
import { kustodianTrailerKeys } from '../report/message.ts';
import type { CommitSummary, Comparison, GitHubClient } from './api.ts';

/** An existing pull request branch, as read from GitHub. */
export interface BranchState {
  readonly branch: string;
  /** The commit the branch points to. */
  readonly head: CommitSummary;
  /** The branch against the base head it was read with; `unrelated` when they share no history. */
  readonly againstBase: Comparison | 'unrelated';
}

/**
 * Reads `branch` and compares it with `baseHead` (the base branch's head commit); undefined
 * when the branch does not exist.
 */
export async function readBranch(
  client: GitHubClient,
  branch: string,
  baseHead: string,
): Promise<BranchState | undefined> {
  const sha = await client.branchHead(branch);
  if (sha === undefined) return undefined;
  const [head, againstBase] = await Promise.all([
    client.commit(sha),
    client.compare(baseHead, sha),
  ]);
  return { branch, head, againstBase };
}

/**
 * Why the action may not move the branch, or undefined when it may: its head and every commit
 * on it that the base (named `base` in messages) lacks carry the action's trailers.
 */
export function moveRefusal(state: BranchState, base: string): string | undefined {
  const { head, againstBase } = state;
  if (againstBase === 'unrelated') return `it shares no history with ${base}`;
  const missing = `it has no ${kustodianTrailerKeys.join(', ')} trailer`;
  if (!carriesTrailers(head.message)) {
    return `its head ${head.sha.slice(0, 12)} was not made by this action (${missing})`;
  }
  const foreign = againstBase.commits.find((commit) => !carriesTrailers(commit.message));
  if (foreign !== undefined) {
    const headline = foreign.message.split('\n', 1)[0] ?? '';
    return `its commit ${foreign.sha.slice(0, 12)} (${headline}), which ${base} lacks, was not made by this action (${missing})`;
  }
  if (againstBase.commits.length < againstBase.aheadBy) {
    return `GitHub listed ${againstBase.commits.length} of the ${againstBase.aheadBy} commits it holds that ${base} lacks, so they could not all be checked`;
  }
  return undefined;
}

/**
 * Whether the branch already is exactly `changes` on top of the base head it was read with:
 * that head is in the branch's history (so it is the pull request's merge base), and the files
 * the branch changes from it are these paths with these contents.
 */
export function holdsExactly(state: BranchState, changes: readonly FileChange[]): boolean {
  const { againstBase } = state;
  if (againstBase === 'unrelated' || againstBase.aheadBy === 0 || againstBase.behindBy !== 0) {
    return false;
  }
  if (againstBase.files.length !== changes.length) return false;
  const wanted = new Map(
    changes.map((change) => [change.path, change.deleted ? removed : blobSha(change.content)]),
  );
  return againstBase.files.every((file) =>
    file.status === 'removed'
      ? wanted.get(file.path) === removed
      : (file.status === 'modified' || file.status === 'added') &&
        wanted.get(file.path) === file.sha,
  );
}

/** What {@link holdsExactly} wants of a path the change removes: GitHub lists it as `removed`. */
const removed = 'removed';

/**
 * The parents of the branch's next commit (whose tree is the base head plus the change), so that
 * it is a fast-forward of the branch and the base head is its merge base with the base: the base
 * head alone when the branch head is already in it (the change's own commit on the base head is
 * that fast-forward), the branch head alone when the base head is already in the branch, and
 * otherwise both, branch head first (a merge commit).
 */
export function nextParents(state: BranchState, baseHead: string): readonly string[] {
  const { head, againstBase } = state;
  if (againstBase !== 'unrelated' && againstBase.aheadBy === 0) return [baseHead];
  if (againstBase !== 'unrelated' && againstBase.behindBy === 0) return [head.sha];
  return [head.sha, baseHead];
}

/** Whether a commit message has one of the trailers the action writes. */
export function carriesTrailers(message: string): boolean {
  return message
    .split('\n')
    .some((line) => kustodianTrailerKeys.some((key) => line.startsWith(`${key}: `)));
}

/** Git's object id of a blob with `content` (UTF-8), as GitHub reports a file's `sha`. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  const header = Buffer.from(`blob ${bytes.length}\0`, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([header, bytes]))
    .digest('hex');
}
