/**
 * Comparing two commits, as GitHub's three-dot comparison does:
 *
 * | endpoint                                   | answers                                                     |
 * |--------------------------------------------|-------------------------------------------------------------|
 * | `GET /repos/{o}/{r}/compare/{base}...{head}` | 200 `status`, `ahead_by`, `behind_by`, `commits`, `files`; 404 `Not Found`, `No common ancestor between {base} and {head}.` |
 *
 * `base` and `head` are branch names or full commit shas of the repository. `commits` are those
 * reachable from `head` and not from `base`, oldest first; `files` is the diff from the merge
 * base to `head` (without `patch`). As on GitHub, without `per_page` or `page` only the newest
 * 250 commits are listed; with either, the commits are paged oldest first (`per_page` 30 by
 * default, at most 100) and only page 1 has the files.
 */
import { commitObject, resolveCommit } from './repo-routes.ts';
import type { ChangedFile } from './repositories.ts';
import { docs, notFound, type Reply, restError } from './responses.ts';
import type { RepositoryRequest, Route } from './routes.ts';

/** The comparison route. */
export const compareRoutes: readonly Route[] = [
  {
    method: 'GET',
    pattern: /^\/compare\/(.+)$/,
    write: false,
    doc: docs.compareCommits,
    handle: compare,
  },
];

/** GitHub's name for each kind of change in a diff. */
const fileStatus: Record<ChangedFile['kind'], string> = {
  A: 'added',
  D: 'removed',
  M: 'modified',
  T: 'changed',
};

async function compare(request: RepositoryRequest): Promise<Reply> {
  const { store, fullName, urls } = request;
  const basehead = request.params[0] ?? '';
  const [baseRef = '', headRef = '', ...rest] = basehead.split('...');
  if (rest.length > 0 || baseRef === '' || headRef === '') return notFound(docs.compareCommits);
  const base = await resolveCommit(request, baseRef);
  const head = await resolveCommit(request, headRef);
  if (!base || !head) return notFound(docs.compareCommits);
  const mergeBase = await store.mergeBase(fullName, base, head);
  if (!mergeBase) {
    return restError(
      404,
      `No common ancestor between ${baseRef} and ${headRef}.`,
      docs.compareCommits,
    );
  }
  const ahead = await store.commitsBetween(fullName, base, head);
  const behind = await store.commitsBetween(fullName, head, base);
  const paging = pagingOf(request.query);
  const listed = paging
    ? ahead.slice((paging.page - 1) * paging.perPage, paging.page * paging.perPage)
    : ahead.slice(-unpagedCommits);
  const files =
    paging && paging.page > 1 ? [] : await store.changedFiles(fullName, mergeBase, head);
  const compareUrl = `${urls.web}/${fullName}/compare/${basehead}`;
  return {
    status: 200,
    body: {
      url: `${urls.api}/repos/${fullName}/compare/${basehead}`,
      html_url: compareUrl,
      permalink_url: `${urls.web}/${fullName}/compare/${request.owner}:${base}...${request.owner}:${head}`,
      diff_url: `${compareUrl}.diff`,
      patch_url: `${compareUrl}.patch`,
      base_commit: await commitObject(request, base),
      merge_base_commit: await commitObject(request, mergeBase),
      status: statusOf(ahead.length, behind.length),
      ahead_by: ahead.length,
      behind_by: behind.length,
      total_commits: ahead.length,
      commits: await Promise.all(listed.map((sha) => commitObject(request, sha))),
      files: files.map((file) => ({
        sha: file.blob,
        filename: file.path,
        status: file.modeChanged ? 'changed' : fileStatus[file.kind],
        additions: file.additions,
        deletions: file.deletions,
        changes: file.additions + file.deletions,
        blob_url: `${urls.web}/${fullName}/blob/${head}/${file.path}`,
        raw_url: `${urls.web}/${fullName}/raw/${head}/${file.path}`,
        contents_url: `${urls.api}/repos/${fullName}/contents/${file.path}?ref=${head}`,
      })),
    },
  };
}

/** How many commits GitHub lists when the request does not page. */
const unpagedCommits = 250;

/** `per_page` and `page` as GitHub reads them; undefined when the request gives neither. */
function pagingOf(query: URLSearchParams): { perPage: number; page: number } | undefined {
  if (!query.has('per_page') && !query.has('page')) return undefined;
  const number = (name: string, fallback: number) => {
    const value = Number.parseInt(query.get(name) ?? '', 10);
    return Number.isFinite(value) && value > 0 ? value : fallback;
  };
  return { perPage: Math.min(number('per_page', 30), 100), page: number('page', 1) };
}

/** `identical`, `ahead`, `behind` or `diverged`, as GitHub says it. */
function statusOf(ahead: number, behind: number): string {
  if (ahead === 0) return behind === 0 ? 'identical' : 'behind';
  return behind === 0 ? 'ahead' : 'diverged';
}
