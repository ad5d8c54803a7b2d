/**
 * The commit message: a headline naming the images, and trailers that trace the change back
 * to its source (the repository and commit that triggered the run, and the run's URL), so the
 * reconciler and a reviewer can follow a deployed revision back to the build that made it.
 */
import type { ImageUpdate } from '@kustodian/shared/images/update';

/** The trailer keys, in the order written. */
export const trailerKeys = [
  'Kustodian-Source-Repository',
  'Kustodian-Source-Commit',
  'Kustodian-Workflow-Run',
] as const;

/** Where the run came from (`GITHUB_*`); absent parts are left out. */
export interface RunOrigin {
  readonly repository?: string;
  readonly sha?: string;
  readonly runUrl?: string;
}

/** `${GITHUB_SERVER_URL}/${GITHUB_REPOSITORY}/actions/runs/${GITHUB_RUN_ID}` when all are set. */
export function runUrl(env: Readonly<Record<string, string | undefined>>): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repository, GITHUB_RUN_ID: id } = env;
  if (!server || !repository || !id) return undefined;
  return `${server.replace(/\/+$/, '')}/${repository}/actions/runs/${id}`;
}

/** `web to 1.4.2`, `web to sha256:0123456789ab`, `web to ghcr.io/acme/web:2.0`. */
export function describeUpdate(update: ImageUpdate): string {
  const digest = update.digest === undefined ? '' : `@${update.digest.slice(0, 19)}`;
  const tag = update.newTag === undefined ? '' : update.newTag;
  if (update.newName !== undefined) {
    return `${update.name} to ${update.newName}${tag === '' ? '' : `:${tag}`}${digest}`;
  }
  return `${update.name} to ${tag}${tag === '' ? digest.slice(1) : digest}`;
}

/**
 * The message: `custom` when given (trailers appended unless it already has them), else
 * `Bump <image> to <version>, ...`. Trailers are added for every origin part that is known.
 */
export function commitMessage(
  updates: readonly ImageUpdate[],
  origin: RunOrigin,
  custom?: string,
): string {
  const headline =
    updates.length === 0
      ? 'Update kustomizations'
      : `Bump ${updates.map(describeUpdate).join(', ')}`;
  const body = custom?.trim() || headline;
  const values = [origin.repository, origin.sha, origin.runUrl];
  const trailers = trailerKeys
    .map((key, index) => (values[index] ? `${key}: ${values[index]}` : undefined))
    .filter(
      (line): line is string => line !== undefined && !body.includes(`${line.split(':')[0]}:`),
    );
  return trailers.length === 0 ? `${body}\n` : `${body}\n\n${trailers.join('\n')}\n`;
}

/** The trailer keys a rollback commit adds, in the order written. */
export const rollbackTrailerKeys = ['Kustodian-Rollback-To', 'Kustodian-Application'] as const;

/** Every trailer key Kustodian writes: a commit carrying one of them is Kustodian's. */
export const kustodianTrailerKeys = [...trailerKeys, ...rollbackTrailerKeys] as const;

/** What a rollback restores, for its message. */
export interface RollbackOrigin {
  /** The Application, `namespace/name`. */
  readonly application: string;
  /** The Application's path in the repository, whose files are restored. */
  readonly path: string;
  /** The full commit rolled back to. */
  readonly revision: string;
  /** The first line of that commit's message. */
  readonly headline: string;
  /**
   * The source trailers of the commit rolled back to (its repository and commit, no run): they
   * are written again, so the Application's status traces the restored state to the same app
   * commit as it did at that revision.
   */
  readonly source: Pick<RunOrigin, 'repository' | 'sha'>;
}

/**
 * `Roll back <namespace/name> to <sha12>`, a body naming what was restored, and the trailers
 * `Kustodian-Rollback-To`, `Kustodian-Application` and the restored revision's source trailers.
 */
export function rollbackMessage(origin: RollbackOrigin): string {
  const short = origin.revision.slice(0, 12);
  const headline = `Roll back ${origin.application} to ${short}`;
  const body = `Restores ${origin.path} as it was at ${origin.revision} (${origin.headline}).`;
  const trailers = [
    `${rollbackTrailerKeys[0]}: ${origin.revision}`,
    `${rollbackTrailerKeys[1]}: ${origin.application}`,
    ...(origin.source.repository ? [`${trailerKeys[0]}: ${origin.source.repository}`] : []),
    ...(origin.source.sha ? [`${trailerKeys[1]}: ${origin.source.sha}`] : []),
  ];
  return `${headline}\n\n${body}\n\n${trailers.join('\n')}\n`;
}
