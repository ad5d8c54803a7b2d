/**
 * Building the lander of a GitHub commit mode (`api`, `pull-request`) from what the pipeline
 * knows: the repository, the token and API URL, the working copy and the retry settings.
 */
import { StepError } from '@kustodian/shared/errors';
import type { ImageUpdate } from '@kustodian/shared/images/update';
import type { RetryClock, RetryLimits } from '../land/retry.ts';
import type { Lander } from '../land/types.ts';
import { createApiLander } from './api-lander.ts';
import { type WorkingCopy, workingCopyRefresher } from './checkout.ts';
import { createGitHubClient } from './client.ts';
import { pullRequestBranch } from './pr-branch.ts';
import { createPullRequestLander } from './pull-request-lander.ts';

/** The GitHub commit modes. */
export const gitHubCommitModes = ['api', 'pull-request'] as const;
export type GitHubCommitMode = (typeof gitHubCommitModes)[number];

/** What `commit: pull-request` needs besides the common settings. */
export interface PullRequestSettings {
  /** `pr-branch`; derived from the base and the image names when absent. */
  readonly branch?: string;
  /** `pr-title`; the commit message's first line when absent. */
  readonly title?: string;
  /** The `images` updates, which name the derived branch. */
  readonly images: readonly ImageUpdate[];
}

/** Everything a GitHub lander is built from. */
export interface GitHubLanderInput {
  readonly mode: GitHubCommitMode;
  readonly token: string;
  /** `GITHUB_API_URL`. */
  readonly apiUrl: string;
  readonly owner: string;
  readonly repo: string;
  /**
   * The working copy, with `branch` checked out: the branch committed to (`api`) or the base of
   * the pull request (`pull-request`).
   */
  readonly git: WorkingCopy;
  readonly branch: string;
  /** How long, and at most how many times, to try landing. */
  readonly retry: RetryLimits;
  readonly clock: RetryClock;
  readonly log: (line: string) => void;
  /** Required for `pull-request`. */
  readonly pullRequest?: PullRequestSettings;
}

/** Creates the lander of `input.mode`. */
export function createGitHubLander(input: GitHubLanderInput): Lander {
  const client = createGitHubClient({
    token: input.token,
    apiUrl: input.apiUrl,
    repository: { owner: input.owner, repo: input.repo },
  });
  const checkout = workingCopyRefresher(input.git, input.branch);
  if (input.mode === 'api') {
    return createApiLander({
      client,
      branch: input.branch,
      checkout,
      retry: input.retry,
      clock: input.clock,
      log: input.log,
    });
  }
  const settings = input.pullRequest;
  if (!settings || (settings.branch === undefined && settings.images.length === 0)) {
    throw new StepError(
      'land',
      'commit: pull-request',
      'needs the images to name its branch, or a pr-branch',
    );
  }
  return createPullRequestLander({
    client,
    base: input.branch,
    branch: settings.branch ?? pullRequestBranch(settings.images, input.branch),
    checkout,
    retry: input.retry,
    clock: input.clock,
    ...(settings.title === undefined ? {} : { title: settings.title }),
    log: input.log,
  });
}
