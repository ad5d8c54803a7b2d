/**
 * What a rollback of an Application reads from the cluster: its source (repository, branch and
 * path) and the record of its history to roll back to. The rollback itself is a commit in that
 * repository (the CLI's `rollback`), never a change to the Application: the cluster follows git.
 */
import { type ApplicationSpec, parseApplicationSpec } from '@kustodian/shared/config/application';
import { messageOf } from '@kustodian/shared/errors';
import { commitOf, type SyncRecord } from './applications.ts';
import { QueryError } from './errors.ts';
import type { ApplicationsApi } from './kube.ts';

/** The Application, where its files live, and the revision to restore. */
export interface RollbackTarget {
  application: { namespace: string; name: string };
  /** The repository, the branch it follows, and the path rendered from it. */
  source: { url: string; branch: string; path: string };
  /** The full config commit to roll back to. */
  revision: string;
  /** Its sync in the history. */
  record: SyncRecord;
  /** The config commit applied now (empty before the first sync). */
  applied: string;
}

/** How `--to` matched the history: one commit, none, or several. */
export type RevisionMatch =
  | { kind: 'found'; record: SyncRecord; commit: string }
  | { kind: 'unknown' }
  | { kind: 'ambiguous'; commits: string[] };

/**
 * The record of `history` (newest first) that `to` names: a `branch@sha1:<commit>` revision, a
 * full commit, or a prefix of at least four hex digits of one. The newest record of the commit
 * is taken; a prefix of several commits is ambiguous.
 */
export function matchRevision(history: readonly SyncRecord[], to: string): RevisionMatch {
  const wanted = commitOf(to.trim()).toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(wanted)) return { kind: 'unknown' };
  const commits = [...new Set(history.map((record) => commitOf(record.revision)))];
  const matching = commits.filter((commit) => commit.startsWith(wanted));
  const [commit, ...others] = matching;
  if (commit === undefined) return { kind: 'unknown' };
  if (others.length > 0) return { kind: 'ambiguous', commits: matching };
  const record = history.find((each) => commitOf(each.revision) === commit);
  return record ? { kind: 'found', record, commit } : { kind: 'unknown' };
}

/** Reads the Application `namespace/name` and finds `to` in its history. */
export async function rollbackTarget(
  api: ApplicationsApi,
  namespace: string,
  name: string,
  to: string,
): Promise<RollbackTarget> {
  const key = `${namespace}/${name}`;
  const app = await api.get(namespace, name);
  let spec: ApplicationSpec;
  try {
    spec = parseApplicationSpec(app.spec, key);
  } catch (error) {
    throw new QueryError('other', `Application ${key} has an invalid spec: ${messageOf(error)}`);
  }
  const ref = spec.source.ref;
  if (!('branch' in ref)) {
    const [kind, value] = 'tag' in ref ? ['tag', ref.tag] : ['commit', ref.commit];
    throw new QueryError(
      'other',
      `Application ${key} follows ${kind} ${value} (source.ref.${kind}), not a branch: a rollback is a commit on the branch an Application follows; to go back, set source.ref.${kind} to the ${kind} to run`,
    );
  }
  const status = (app.status ?? {}) as { history?: SyncRecord[]; lastAppliedRevision?: string };
  const history = status.history ?? [];
  const match = matchRevision(history, to);
  const listed = `\`kustodian history ${name} -n ${namespace}\` lists them`;
  if (match.kind === 'unknown')
    throw new QueryError(
      'not-found',
      `Application ${key}: revision ${to} is not in its history (${history.length === 1 ? '1 sync' : `${history.length} syncs`}); give a commit it synced: ${listed}`,
    );
  if (match.kind === 'ambiguous')
    throw new QueryError(
      'other',
      `Application ${key}: revision ${to} matches ${match.commits.length} commits of its history (${match.commits.map((c) => c.slice(0, 12)).join(', ')}); give more of the hash`,
    );
  return {
    application: { namespace, name },
    source: { url: spec.source.url, branch: ref.branch, path: spec.source.path },
    revision: match.commit,
    record: match.record,
    applied: commitOf(status.lastAppliedRevision ?? ''),
  };
}
