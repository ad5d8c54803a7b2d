/**
 * Everything the action does with git goes through this one small interface, so the decision
 * logic (landers, the pipeline) takes it as a parameter and tests can run it against real
 * repositories. `cli.ts` implements it over the git command line.
 */

/** Who a commit is attributed to. */
export interface GitIdentity {
  readonly name: string;
  readonly email: string;
}

/** How a push ended. A rejection because the branch moved is data: the caller retries. */
export const pushOutcomes = ['pushed', 'rejected'] as const;
export type PushOutcome = (typeof pushOutcomes)[number];

/** One working copy of the config repository, with `origin` set to the remote. */
export interface Git {
  /** The working copy's directory. */
  readonly dir: string;
  /**
   * Clones `branch` of the remote into `dir` (the remote's default branch when absent): its
   * tip only, unless `history` asks for every commit of the branch.
   */
  clone(branch: string | undefined, options?: { history?: boolean }): Promise<void>;
  /** The branch checked out, as a short name (`main`). */
  currentBranch(): Promise<string>;
  /** The commit `HEAD` points at. */
  head(): Promise<string>;
  /** Fetches `branch` from origin and resets the working copy to it; returns the new head. */
  resetToRemote(branch: string): Promise<string>;
  /** Commits exactly `paths` with `message`; returns the new commit. */
  commit(paths: readonly string[], message: string, author: GitIdentity): Promise<string>;
  /** Pushes `HEAD` to `branch` on origin without forcing (there is no forcing push). */
  push(branch: string): Promise<PushOutcome>;
  /** Paths (relative, `/`-separated) that differ between two commits. */
  changedPaths(from: string, to: string): Promise<string[]>;
}
