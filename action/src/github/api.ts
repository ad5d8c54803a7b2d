/**
 * What the `api` and `pull-request` landers need from GitHub, as an interface: the landers
 * depend on this, `client.ts` implements it over octokit.
 *
 * Answers that are expected outcomes (a stale head, a branch that already exists, is missing or
 * moved on so that a move is not a fast-forward, a pull request that already exists) are data;
 * anything else throws a `GitHubApiError`.
 */
import type { FileChange } from '../land/types.ts';

/** A repository on GitHub. */
export interface RepositoryName {
  readonly owner: string;
  readonly repo: string;
}

/** How `createCommitOnBranch` ended: landed, or refused because the branch had moved. */
export type CommitOnBranchResult =
  | { readonly kind: 'committed'; readonly oid: string; readonly url: string }
  | { readonly kind: 'stale'; readonly message: string };

/** What `createCommitOnBranch` is asked to do. */
export interface CommitOnBranchInput {
  readonly branch: string;
  /** The head the edit was prepared on; GitHub refuses (`STALE_DATA`) if the branch moved. */
  readonly expectedHeadOid: string;
  /** The whole message: first line the headline, the rest the body. */
  readonly message: string;
  readonly changes: readonly FileChange[];
}

/** A pull request, as far as the action cares. */
export interface PullRequest {
  readonly number: number;
  /** The page people open (`html_url`). */
  readonly url: string;
}

/** The text of a pull request. */
export interface PullRequestText {
  readonly title: string;
  readonly body: string;
}

/** A commit, as far as the landers read one. */
export interface CommitSummary {
  readonly sha: string;
  /** The whole message. */
  readonly message: string;
  /** The commit's tree (git's object id). */
  readonly tree: string;
  readonly parents: readonly string[];
}

/** What `createCommit` is asked to write: a commit of an existing tree. */
export interface NewCommit {
  /** The whole message. */
  readonly message: string;
  readonly tree: string;
  /** One parent for a plain commit, two (or more) for a merge commit. */
  readonly parents: readonly string[];
}

/** How `moveBranch` ended; `not-fast-forward` when the branch is no longer behind `sha`. */
export type MoveResult = 'moved' | 'missing' | 'not-fast-forward';

/** One file of a comparison: the diff from the merge base to `head`. */
export interface ComparedFile {
  readonly path: string;
  /** `added`, `removed`, `modified`, `renamed`, `copied`, `changed` or `unchanged`. */
  readonly status: string;
  /** The file's blob in `head` (git's object id of its content). */
  readonly sha: string;
}

/** `GET compare/{base}...{head}`: what `head` has that `base` lacks. */
export interface Comparison {
  /** How many commits are reachable from `head` and not from `base`. */
  readonly aheadBy: number;
  readonly behindBy: number;
  /** Every commit reachable from `head` and not from `base` (all `aheadBy` of them), oldest first. */
  readonly commits: readonly CommitSummary[];
  readonly files: readonly ComparedFile[];
}

/** The GitHub calls of one repository (see the table in `client.ts`). */
export interface GitHubClient {
  readonly repository: RepositoryName;
  /** The repository's default branch. */
  defaultBranch(): Promise<string>;
  /** Appends a signed commit to `branch` if it still points to `expectedHeadOid`. */
  createCommitOnBranch(input: CommitOnBranchInput): Promise<CommitOnBranchResult>;
  /** The commit `branch` points to; undefined when there is no such branch. */
  branchHead(branch: string): Promise<string | undefined>;
  /** One commit, by sha. */
  commit(sha: string): Promise<CommitSummary>;
  /** `head` against `base` (branch names or shas); `unrelated` when they share no history. */
  compare(base: string, head: string): Promise<Comparison | 'unrelated'>;
  /** Writes a commit (moving no branch); returns its sha. */
  createCommit(commit: NewCommit): Promise<string>;
  /** Creates `branch` at `sha`, unless it exists. */
  createBranch(branch: string, sha: string): Promise<'created' | 'exists'>;
  /** Moves `branch` to `sha` only as a fast-forward (`sha` descends from its head); never forces. */
  moveBranch(branch: string, sha: string): Promise<MoveResult>;
  /** Deletes `branch`, unless it is already gone. */
  deleteBranch(branch: string): Promise<'deleted' | 'missing'>;
  /** The open pull request from `head` into `base` (branches of this repository), if any. */
  findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined>;
  /** Opens a pull request, unless one from `head` into `base` is already open. */
  createPullRequest(
    input: PullRequestText & { readonly head: string; readonly base: string },
  ): Promise<PullRequest | 'exists'>;
  /** Replaces a pull request's title and body. */
  updatePullRequest(number: number, text: PullRequestText): Promise<PullRequest>;
}
