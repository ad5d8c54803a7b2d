/**
 * Landing an edit as a commit: the contract shared by every `commit` mode (`push`,
 * `pull-request`, `api`, `none`).
 *
 * A lander never takes a ready-made diff. It takes `prepare`, which recomputes the edit on a
 * checkout of the branch head it is about to build on, so that after a lost race (a
 * non-fast-forward push, a `STALE_DATA` answer) it can fetch the new head, re-apply the edit and
 * try again without losing anybody's commit and without forcing.
 */

/** One file the edit writes, relative to the repository root, with its complete new content. */
export interface FileWrite {
  readonly path: string;
  readonly content: string;
  readonly deleted?: undefined;
}

/** One file the edit removes, relative to the repository root (it exists on the head built on). */
export interface FileDeletion {
  readonly path: string;
  readonly deleted: true;
}

/** One file the edit changes: written with new content, or removed. */
export type FileChange = FileWrite | FileDeletion;

/** A checkout of the branch at `head`, on disk at `dir`, for `prepare` to read and edit. */
export interface Checkout {
  readonly dir: string;
  readonly head: string;
}

/**
 * Recomputes the edit on `checkout` and returns the files it changes (already written to the
 * checkout). An empty list means the branch already holds the wanted state.
 */
export type PrepareEdit = (checkout: Checkout) => Promise<readonly FileChange[]>;

/** How landing ended. */
export const landOutcomes = [
  'committed',
  'unchanged',
  'pull-request-opened',
  'pull-request-updated',
  'dry-run',
] as const;
export type LandOutcome = (typeof landOutcomes)[number];

/** The result of landing. */
export interface LandResult {
  readonly outcome: LandOutcome;
  /** The commit that now carries the edit (absent when unchanged or dry-run). */
  readonly commitSha?: string;
  readonly pullRequestUrl?: string;
  /** Attempts made, 1 when the first one landed. */
  readonly attempts: number;
  /** Paths the landed commit changed. */
  readonly changedPaths: readonly string[];
}

/** What every commit mode implements. */
export interface Lander {
  land(input: { readonly message: string; readonly prepare: PrepareEdit }): Promise<LandResult>;
}
