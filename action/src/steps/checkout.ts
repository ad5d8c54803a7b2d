/**
 * Step 4 of the pipeline: clone the config repository at the branch to read and commit to,
 * authenticated through the environment of each git process, never through the URL.
 */
import { realpath } from 'node:fs/promises';
import { messageOf, StepError } from '@kustodian/shared/errors';
import { networkEnv } from '@kustodian/shared/network-env';
import type { Git } from '../git/git.ts';
import { defaultServerUrl, gitAuthEnv, resolveRemote } from '../git/remote.ts';
import type { ActionInputs } from '../inputs.ts';

/** Creates the `Git` of one working copy (the real one is `createGitCli` over `spawnRunner`). */
export type GitFactory = (options: {
  readonly dir: string;
  readonly remoteUrl: string;
  readonly env: Readonly<Record<string, string>>;
  readonly secrets: readonly string[];
}) => Git;

/** A fresh working copy. */
export interface Cloned {
  readonly git: Git;
  /** The working copy's real path (symlinks resolved), which every path check is relative to. */
  readonly root: string;
  readonly branch: string;
  readonly head: string;
  /** The remote as it may be shown. */
  readonly shownUrl: string;
  /** `owner/name` when the repository was given that way. */
  readonly nameWithOwner?: string;
}

/** Clones `inputs.repository` into `dir`. */
export async function checkout(
  inputs: ActionInputs,
  boundaries: {
    readonly env: Readonly<Record<string, string | undefined>>;
    readonly createGit: GitFactory;
  },
  dir: string,
  secrets: readonly string[],
): Promise<Cloned> {
  const remote = resolveRemote(
    inputs.repository,
    boundaries.env.GITHUB_SERVER_URL || defaultServerUrl,
  );
  const env = { ...networkEnv(boundaries.env), ...gitAuthEnv(remote, inputs.token) };
  const git = boundaries.createGit({ dir, remoteUrl: remote.url, env, secrets });
  // A pull request is built on its base: `pr-base` when given, else `ref`.
  const wanted = inputs.commit === 'pull-request' ? (inputs.prBase ?? inputs.ref) : inputs.ref;
  const input = inputs.commit === 'pull-request' && inputs.prBase !== undefined ? 'pr-base' : 'ref';
  await git.clone(wanted).catch((cause: unknown) => {
    // git: "fatal: Remote branch nope not found in upstream origin".
    if (wanted === undefined || !/not found in upstream/i.test(messageOf(cause))) throw cause;
    const message = `branch "${wanted}" does not exist; set the \`${input}\` input to a branch of the repository`;
    throw new StepError('checkout', remote.url, message, { cause });
  });
  // The commit and the branch, asked of git at once; the commit's failure is the one reported:
  // an empty repository, or a HEAD that names a missing branch, clones without a commit.
  const [headed, branched] = await Promise.allSettled([git.head(), wanted ?? git.currentBranch()]);
  if (headed.status === 'rejected') {
    const message =
      wanted === undefined
        ? 'the default branch has no commit: the repository is empty, or its HEAD names a branch that does not exist; set the `ref` input to a branch of the repository'
        : `branch "${wanted}" has no commit; set the \`${input}\` input to a branch of the repository`;
    throw new StepError('checkout', remote.url, message, { cause: headed.reason });
  }
  if (branched.status === 'rejected') throw branched.reason;
  const head = headed.value;
  const branch = branched.value;
  return {
    git,
    root: await realpath(dir),
    branch,
    head,
    shownUrl: remote.url,
    ...(remote.nameWithOwner === undefined ? {} : { nameWithOwner: remote.nameWithOwner }),
  };
}
