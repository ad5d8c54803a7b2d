/**
 * When the app commit was made, as the workflow's event says it, for the
 * `Kustodian-Source-Time` trailer: the reconciler's timeline starts there. Only the payload the
 * runner already wrote is read, never the API: a push (of a branch or a tag) carries its head
 * commit's `timestamp`; a release carries `created_at`, which GitHub documents as the date of
 * the release's commit, not of the release. Any other event says nothing, and nothing is
 * guessed.
 */
import { commitTime } from '@kustodian/shared/time';
import type { WorkflowEvent } from '../event.ts';

/**
 * The time of commit `sha` (`GITHUB_SHA`), RFC 3339 in UTC, when `event` carries it: a push's
 * `head_commit.timestamp` when that commit is `sha` (a push that deletes a branch has none),
 * a release's `release.created_at`; else `undefined`.
 */
export function sourceTimeOf(
  event: WorkflowEvent | undefined,
  sha: string | undefined,
): string | undefined {
  if (event === undefined) return undefined;
  if (event.name === 'push') {
    const head = field(event.payload, 'head_commit');
    const id = field(head, 'id');
    if (sha !== undefined && id !== sha) return undefined;
    return timeOf(field(head, 'timestamp'));
  }
  if (event.name === 'release') return timeOf(field(field(event.payload, 'release'), 'created_at'));
  return undefined;
}

function timeOf(value: unknown): string | undefined {
  return typeof value === 'string' ? commitTime(value) : undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
