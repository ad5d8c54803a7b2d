/** Small pure formatters shared by the server's first paint and the client. */

/** `3m`, `2h`, `5d`: how long ago `iso` was, from `now` (ms); `-` when unknown. */
export function ago(iso: string, now: number): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (!Number.isFinite(seconds)) return '-';
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86_400)}d`;
}

/** The first 12 characters of a commit, `-` when there is none. */
export function shortCommit(commit: string): string {
  return commit ? commit.slice(0, 12) : '-';
}

/** `main@3f2c1ab9d0e4` from `main@sha1:3f2c1ab9d0e4…`. */
export function shortRevision(revision: string): string {
  if (!revision) return '-';
  const at = revision.lastIndexOf('@');
  if (at < 0) return shortCommit(revision);
  return `${revision.slice(0, at)}@${shortCommit(revision.slice(at + 1).replace(/^sha(1|256):/, ''))}`;
}
