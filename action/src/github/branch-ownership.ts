/**
 * What the pull request branch holds, read before `commit: pull-request` touches it: whether the
 * action may move it, and whether it already is the change the run would make.
 *
 * The lander force-moves the branch to each new commit (see `pull-request-lander.ts`), which
 * drops whatever the branch held beyond the base. That may only ever be the action's own commit,
 * so a branch that exists is moved only when its head carries the action's trailers
 * (`Kustodian-Source-Repository`, `Kustodian-Source-Commit`, `Kustodian-Workflow-Run`) and it is
 * at most that one commit ahead of the base. A branch people share (`pr-branch: release`), the
 * action's branch after someone pushed to it, and a branch with another history are refused.
 */
import { createHash } from 'node:crypto';
import type { FileChange } from '../land/types.ts';
import { trailerKeys } from '../report/message.ts';
import type { CommitSummary, Comparison, GitHubClient } from './api.ts';

/** An existing pull request branch, as read from GitHub. */
export interface BranchState {
  readonly branch: string;
  /** The commit the branch points to. */
  readonly head: CommitSummary;
  /** The branch against its base; `unrelated` when they share no history. */
  readonly againstBase: Comparison | 'unrelated';
}

/** Reads `branch` and compares it with `base`; undefined when the branch does not exist. */
export async function readBranch(
  client: GitHubClient,
  branch: string,
  base: string,
): Promise<BranchState | undefined> {
  const sha = await client.branchHead(branch);
  if (sha === undefined) return undefined;
  const [head, againstBase] = await Promise.all([client.commit(sha), client.compare(base, sha)]);
  return { branch, head, againstBase };
}

/**
 * Why the action may not move the branch, or undefined when it may: it holds nothing beyond the
 * base but (at most) one commit that carries the action's trailers.
 */
export function moveRefusal(state: BranchState, base: string): string | undefined {
  const short = state.head.sha.slice(0, 12);
  if (state.againstBase === 'unrelated') {
    return `it shares no history with ${base}`;
  }
  if (!carriesTrailers(state.head.message)) {
    return `its head ${short} was not made by this action (it has no ${trailerKeys.join(', ')} trailer)`;
  }
  const ahead = state.againstBase.aheadBy;
  if (ahead > 1) {
    return `it holds ${ahead} commits that ${base} lacks, and only the action's own head commit may be replaced`;
  }
  return undefined;
}

/**
 * Whether the branch is exactly `changes` as one commit on top of `baseHead`: its head's only
 * parent is `baseHead` and the files it changes are these paths with these contents.
 */
export function holdsExactly(
  state: BranchState,
  baseHead: string,
  changes: readonly FileChange[],
): boolean {
  const { head, againstBase } = state;
  if (againstBase === 'unrelated' || againstBase.aheadBy !== 1) return false;
  if (head.parents.length !== 1 || head.parents[0] !== baseHead) return false;
  if (againstBase.files.length !== changes.length) return false;
  const wanted = new Map(changes.map((change) => [change.path, blobSha(change.content)]));
  return againstBase.files.every(
    (file) =>
      (file.status === 'modified' || file.status === 'added') && wanted.get(file.path) === file.sha,
  );
}

/** Whether a commit message has one of the trailers the action writes. */
export function carriesTrailers(message: string): boolean {
  return message.split('\n').some((line) => trailerKeys.some((key) => line.startsWith(`${key}: `)));
}

/** Git's object id of a blob with `content` (UTF-8), as GitHub reports a file's `sha`. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, 'utf8');
  const header = Buffer.from(`blob ${bytes.length}\0`, 'utf8');
  return createHash('sha1')
    .update(Buffer.concat([header, bytes]))
    .digest('hex');
}
