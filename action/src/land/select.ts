/**
 * Picking the lander for the `commit` input. `push` and `none` are built here; `api` and
 * `pull-request` talk to the GitHub API and come from `../github/` through a factory, so this
 * module does not depend on how they are made.
 */
import type { CommitMode } from '@kustodian/shared/config/action-inputs';
import { StepError } from '@kustodian/shared/errors';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import type { Clock } from '../clock.ts';
import type { Git, GitIdentity } from '../git/git.ts';
import { createNoneLander } from './none.ts';
import { createPushLander } from './push.ts';
import type { RetryLimits } from './retry.ts';
import type { Lander } from './types.ts';

/** The commit modes, as the `commit` input names them. */
export {
  COMMIT_MODES as commitModes,
  type CommitMode,
} from '@kustodian/shared/config/action-inputs';

/** The modes that land through the GitHub API. */
export type GitHubCommitMode = Extract<CommitMode, 'api' | 'pull-request'>;

/** Whether a mode writes to the repository (everything but `none`). */
export function writes(mode: CommitMode): boolean {
  return mode !== 'none';
}

/** What every lander may use. */
export interface LanderContext {
  /** The working copy, cloned at `branch`, with `origin` set and authenticated. */
  readonly git: Git;
  readonly branch: string;
  readonly author: GitIdentity;
  /** How long, and at most how many times, to try landing. */
  readonly retry: RetryLimits;
  readonly clock: Clock;
  readonly log: (line: string) => void;
}

/** What the GitHub API landers need on top: where the API is and which repository. */
export interface GitHubLanderContext extends LanderContext {
  readonly mode: GitHubCommitMode;
  readonly token: string;
  /** `GITHUB_API_URL`, e.g. `https://api.github.com`. */
  readonly apiUrl: string;
  /** `GITHUB_GRAPHQL_URL`, e.g. `https://api.github.com/graphql`. */
  readonly graphqlUrl: string;
  readonly owner: string;
  readonly repo: string;
  /** `commit: pull-request`: the `pr-branch`, `pr-title` and the images that name the branch. */
  readonly pullRequest: PullRequestOptions;
}

/** The pull request inputs, as the pipeline passes them on. */
export interface PullRequestOptions {
  readonly branch?: string;
  readonly title?: string;
  readonly images: readonly ImageUpdate[];
}

/** Makes the `api` and `pull-request` landers (implemented in `../github/`). */
export type GitHubLanderFactory = (context: GitHubLanderContext) => Lander;

/** What `selectLander` needs for the GitHub modes; absent for other forges. */
export interface GitHubTarget {
  readonly token: string;
  readonly apiUrl: string;
  readonly graphqlUrl: string;
  /** `owner/name`. */
  readonly nameWithOwner: string;
  readonly pullRequest: PullRequestOptions;
}

/**
 * The lander for `mode`. The GitHub modes need a repository given as `owner/name` (their API
 * addresses repositories by name) and a token.
 */
export function selectLander(
  mode: CommitMode,
  context: LanderContext,
  github: { readonly factory: GitHubLanderFactory; readonly target: GitHubTarget | undefined },
): Lander {
  switch (mode) {
    case 'push':
      return createPushLander(context);
    case 'none':
      return createNoneLander(context.git);
    case 'api':
    case 'pull-request': {
      const target = github.target;
      if (target === undefined || target.token === '') {
        throw new StepError(
          'land',
          `commit: ${mode}`,
          'needs the repository as owner/name on GitHub and a token; use commit: push for other forges',
        );
      }
      const [owner = '', repo = ''] = target.nameWithOwner.split('/');
      return github.factory({ ...context, ...target, mode, owner, repo });
    }
  }
}
