/**
 * A rollback as one pipeline, landed through the Action's own code:
 *
 *   clone the branch → find the revision in its history → message with trailers → pick the
 *   lander (push, api, pull-request, or none for a dry run) → land: on the head it builds on,
 *   make the path's files those of the revision (written, or removed when the revision lacks them)
 *
 * The landers never force: when the branch moves meanwhile they prepare again on the new head,
 * so the rollback is one more commit on top of everybody's, and history stays linear.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { systemClock } from '@kustodian/action/clock';
import { createGitCli } from '@kustodian/action/git/cli';
import type { GitIdentity } from '@kustodian/action/git/git';
import { gitAuthEnv, resolveRemote, tokenForms } from '@kustodian/action/git/remote';
import { blobSha } from '@kustodian/action/github/branch-ownership';
import { createGitHubLander } from '@kustodian/action/github/factory';
import { createNoneLander } from '@kustodian/action/land/none';
import { createPushLander } from '@kustodian/action/land/push';
import type { Checkout, FileChange, Lander, LandOutcome } from '@kustodian/action/land/types';
import { rollbackMessage } from '@kustodian/action/report/message';
import type { RollbackTarget } from '@kustodian/query/rollback';
import { StepError } from '@kustodian/shared/errors';
import type { RunCommand } from '@kustodian/shared/exec';
import { commitTime } from '@kustodian/shared/time';
import { parseTrailers } from '../../../reconciler/src/wiring/trailers.ts';
import { type RestoreStep, restorePlan } from './restore.ts';
import { gitRevisions, type Revisions } from './revisions.ts';

/** How the rollback lands: the Action's commit modes, `none` for a dry run. */
export const rollbackModes = ['push', 'api', 'pull-request', 'none'] as const;
export type RollbackMode = (typeof rollbackModes)[number];

/** Where the GitHub API modes send their calls. */
export interface GitHubTarget {
  readonly apiUrl: string;
  readonly owner: string;
  readonly repo: string;
}

/** What a rollback needs. */
export interface RollbackRequest {
  readonly target: RollbackTarget;
  readonly mode: RollbackMode;
  /** The git token (required by every mode but `none`). */
  readonly token?: string;
  /** For `api` and `pull-request`. */
  readonly github?: GitHubTarget;
  /** Who a pushed commit is by (required by `push`). */
  readonly author?: GitIdentity;
  readonly runCommand: RunCommand;
  /** The network variables git gets (`GIT_SSL_CAINFO`, proxies). */
  readonly networkEnv: Readonly<Record<string, string>>;
  /** Progress lines (retries after a lost race). */
  readonly log: (line: string) => void;
}

/** What the rollback did. */
export interface RollbackResult {
  readonly outcome: LandOutcome;
  /** The head of the branch the change was made on. */
  readonly base: string;
  /** The new commit (the pull request's head for `pull-request`); absent when nothing landed. */
  readonly commit?: string;
  readonly pullRequestUrl?: string;
  /** The files changed, by path. */
  readonly changes: readonly RestoreStep[];
}

/** How long the landers keep trying when the branch keeps moving. */
const retryTimeoutMs = 60_000;

/** Lands the rollback; throws a `StepError` naming the step when it cannot. */
export async function rollBack(request: RollbackRequest): Promise<RollbackResult> {
  const { target } = request;
  const { url, branch } = target.source;
  const scratch = await mkdtemp(join(tmpdir(), 'kustodian-rollback-'));
  try {
    // 1. Clone the branch the Application follows, authenticated through git's environment.
    const remote = resolveRemote(url, 'https://github.com');
    const git = createGitCli({
      dir: join(scratch, 'repo'),
      remoteUrl: remote.url,
      runCommand: request.runCommand,
      env: { ...request.networkEnv, ...gitAuthEnv(remote, request.token) },
      secrets: request.token ? tokenForms(request.token) : [],
    });
    // With its history: the revision to go back to must be in it.
    await git.clone(branch, { history: true });
    const base = await git.head();
    const revisions = gitRevisions(request.runCommand, git.dir);

    // 2. The revision must be in the branch's history.
    if (!(await revisions.has(target.revision)))
      throw new StepError(
        'rollback',
        `${url}@${branch}`,
        `revision ${target.revision} is not in the history of branch ${branch}: it was synced from another branch, or the branch was rewritten since`,
      );

    // 3. The message: what is restored, and the trailers naming the revision and the Application.
    const revisionMessage = await revisions.message(target.revision);
    const trailers = parseTrailers(revisionMessage);
    const repository = trailers['Kustodian-Source-Repository'];
    const sha = trailers['Kustodian-Source-Commit'];
    const time = commitTime(trailers['Kustodian-Source-Time']);
    const message = rollbackMessage({
      application: `${target.application.namespace}/${target.application.name}`,
      path: target.source.path,
      revision: target.revision,
      headline: revisionMessage.split('\n', 1)[0] ?? '',
      source: {
        ...(repository ? { repository } : {}),
        ...(sha ? { sha } : {}),
        ...(time ? { time } : {}),
      },
    });

    // 4. Land through the lander of the mode; `prepare` runs on the head it builds on.
    let changes: RestoreStep[] = [];
    const prepare = async (checkout: Checkout): Promise<FileChange[]> => {
      const prepared = await restoreOn(checkout, target, revisions);
      changes = prepared.steps;
      return prepared.files;
    };
    const landed = await landerFor(request, git).land({ message, prepare });
    return {
      outcome: landed.outcome,
      base,
      ...(landed.commitSha ? { commit: landed.commitSha } : {}),
      ...(landed.pullRequestUrl ? { pullRequestUrl: landed.pullRequestUrl } : {}),
      changes: landed.outcome === 'unchanged' ? [] : changes,
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The pull request branch of an Application's rollbacks: one per Application. */
export function rollbackBranch(target: RollbackTarget): string {
  return `kustodian/rollback-${target.application.namespace}-${target.application.name}`;
}

function landerFor(request: RollbackRequest, git: ReturnType<typeof createGitCli>): Lander {
  const { mode, target } = request;
  const branch = target.source.branch;
  const retry = { timeoutMs: retryTimeoutMs };
  const common = { git, branch, retry, clock: systemClock, log: request.log };
  if (mode === 'none') return createNoneLander(git);
  if (mode === 'push') {
    if (!request.author) throw new StepError('rollback', mode, 'a push needs the commit author');
    return createPushLander({ ...common, author: request.author });
  }
  const { github, token } = request;
  if (!github || !token)
    throw new StepError('rollback', mode, 'the GitHub API modes need a token and the API URL');
  return createGitHubLander({
    ...common,
    mode,
    token,
    ...github,
    pullRequest: { branch: rollbackBranch(target), images: [] },
  });
}

/**
 * Makes the Application's path on `checkout` what it was at the revision: writes the files that
 * differ, removes those the revision lacks; returns them as the landers take them.
 */
async function restoreOn(
  checkout: Checkout,
  target: RollbackTarget,
  revisions: Revisions,
): Promise<{ steps: RestoreStep[]; files: FileChange[] }> {
  const { path } = target.source;
  const plan = restorePlan(
    await revisions.files(checkout.head, path),
    await revisions.files(target.revision, path),
  );
  if (plan.unsupported.length > 0)
    throw new StepError(
      'rollback',
      path,
      `cannot restore ${plan.unsupported.join(', ')}: symbolic links and submodules are not files a commit of the API can carry; restore them by hand`,
    );
  const files: FileChange[] = [];
  for (const step of plan.steps) {
    const file = join(checkout.dir, step.path);
    if (step.kind === 'deleted' || step.blob === undefined) {
      await rm(file, { force: true });
      files.push({ path: step.path, deleted: true });
      continue;
    }
    const content = await revisions.text(step.blob);
    // A blob that is not UTF-8 text would not come back unchanged from the text the landers take.
    if (blobSha(content) !== step.blob)
      throw new StepError('rollback', step.path, 'is not UTF-8 text; restore it by hand');
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, content);
    files.push({ path: step.path, content });
  }
  return { steps: [...plan.steps], files };
}
