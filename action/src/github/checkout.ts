/**
 * The local checkout a GitHub lander prepares its edit on. The landers commit through the API,
 * but `prepare` edits files on disk, so after GitHub refuses a stale head they need the checkout
 * moved to the branch's new head: that is all they ask of git, through this boundary.
 */
import type { Checkout } from '../land/types.ts';

/** Gives the landers a checkout of the branch they build on. */
export interface CheckoutRefresher {
  /** The checkout as it is now; the first attempt builds on it. */
  current(): Promise<Checkout>;
  /** Fetches the branch, resets the checkout to the remote's head, and returns it. */
  refresh(): Promise<Checkout>;
}

/** What a working copy must offer to serve as a {@link CheckoutRefresher} (the action's `Git` does). */
export interface WorkingCopy {
  readonly dir: string;
  /** The commit checked out. */
  head(): Promise<string>;
  /** Fetches `branch` from the remote and resets the working copy to it; returns the new head. */
  resetToRemote(branch: string): Promise<string>;
}

/** A refresher over a working copy that has `branch` checked out. */
export function workingCopyRefresher(git: WorkingCopy, branch: string): CheckoutRefresher {
  return {
    current: async () => ({ dir: git.dir, head: await git.head() }),
    refresh: async () => ({ dir: git.dir, head: await git.resetToRemote(branch) }),
  };
}
