/**
 * REST endpoints on pull requests (same-repository branches only; forks are out of scope):
 *
 * | endpoint                                                | answers                            |
 * |---------------------------------------------------------|------------------------------------|
 * | `GET /repos/{o}/{r}/pulls?head=o:branch&base=&state=`   | 200 list (`state` defaults to open) |
 * | `POST /repos/{o}/{r}/pulls` `{title, head, base, body}` | 201; 422 already exists, no commits between, invalid head/base |
 * | `PATCH /repos/{o}/{r}/pulls/{n}` `{title, body, state, base}` | 200; 404 unknown number      |
 */
import { docs, notFound, type Reply, validationFailed } from './responses.ts';
import { field, type RepositoryRequest, type Route, stringField } from './routes.ts';
import { nodeId, numericId, type PullRequestRecord, pullRequestStates } from './state.ts';

/** The pull request routes. */
export const pullRequestRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^\/pulls$/, write: false, doc: docs.listPulls, handle: listPulls },
  { method: 'POST', pattern: /^\/pulls$/, write: true, doc: docs.createPull, handle: createPull },
  {
    method: 'PATCH',
    pattern: /^\/pulls\/(\d+)$/,
    write: true,
    doc: docs.updatePull,
    handle: updatePull,
  },
];

/** A pull request in GitHub's shape, with the current shas of its branches. */
async function render(request: RepositoryRequest, pull: PullRequestRecord): Promise<unknown> {
  const { store, fullName, owner, urls } = request;
  const side = async (branch: string) => ({
    label: `${owner}:${branch}`,
    ref: branch,
    sha: (await store.head(fullName, branch)) ?? null,
    repo: { full_name: fullName, name: request.repo },
  });
  return {
    id: numericId(`${fullName}#${pull.number}`),
    node_id: nodeId('PullRequest', `${fullName}#${pull.number}`),
    number: pull.number,
    state: pull.state,
    title: pull.title,
    body: pull.body,
    draft: false,
    merged_at: null,
    user: { login: pull.user },
    head: await side(pull.head),
    base: await side(pull.base),
    url: `${urls.api}/repos/${fullName}/pulls/${pull.number}`,
    html_url: `${urls.web}/${fullName}/pull/${pull.number}`,
    created_at: pull.createdAt,
    updated_at: pull.updatedAt,
  };
}

/** `owner:branch` (or a bare branch) as a branch of this repository, or undefined. */
function headBranch(request: RepositoryRequest, head: string): string | undefined {
  const colon = head.indexOf(':');
  if (colon < 0) return head;
  return head.slice(0, colon) === request.owner ? head.slice(colon + 1) : undefined;
}

async function listPulls(request: RepositoryRequest): Promise<Reply> {
  const { query } = request;
  const state = query.get('state') ?? 'open';
  const head = query.get('head');
  // GitHub filters `head` only in the `owner:branch` form.
  const branch = head?.includes(':') ? headBranch(request, head) : undefined;
  const base = query.get('base');
  const pulls = request.state
    .pulls(request.fullName)
    .filter((pull) => state === 'all' || pull.state === state)
    .filter((pull) => !head || pull.head === branch)
    .filter((pull) => !base || pull.base === base)
    .reverse();
  return { status: 200, body: await Promise.all(pulls.map((pull) => render(request, pull))) };
}

async function createPull(request: RepositoryRequest): Promise<Reply> {
  const { store, fullName, body, owner } = request;
  const title = stringField(body, 'title');
  const head = headBranch(request, stringField(body, 'head') ?? '');
  const base = stringField(body, 'base') ?? '';
  const invalid = (name: string, code: string) =>
    validationFailed(docs.createPull, [{ resource: 'PullRequest', field: name, code }]);
  if (!title) return invalid('title', 'missing_field');
  const baseSha = await store.head(fullName, base);
  if (!baseSha) return invalid('base', 'invalid');
  const headSha = head ? await store.head(fullName, head) : undefined;
  if (!head || !headSha) return invalid('head', 'invalid');
  const custom = (message: string) =>
    validationFailed(docs.createPull, [{ resource: 'PullRequest', code: 'custom', message }]);
  const duplicate = request.state
    .pulls(fullName)
    .some((pull) => pull.state === 'open' && pull.head === head && pull.base === base);
  if (duplicate) {
    return custom(`A pull request already exists for ${owner}:${head}.`);
  }
  if (await store.isAncestor(fullName, headSha, baseSha)) {
    return custom(`No commits between ${base} and ${head}`);
  }
  const now = new Date().toISOString();
  const pull = request.state.addPull(fullName, {
    title,
    body: stringField(body, 'body') ?? null,
    head,
    base,
    state: 'open',
    user: request.user.login,
    createdAt: now,
    updatedAt: now,
  });
  return { status: 201, body: await render(request, pull) };
}

async function updatePull(request: RepositoryRequest): Promise<Reply> {
  const { body } = request;
  const number = Number(request.params[0]);
  const pull = request.state.pulls(request.fullName).find((each) => each.number === number);
  if (!pull) return notFound(docs.updatePull);
  const title = stringField(body, 'title');
  const text = field(body, 'body');
  const state = stringField(body, 'state');
  const base = stringField(body, 'base');
  if (state !== undefined && !pullRequestStates.some((known) => known === state)) {
    return validationFailed(docs.updatePull, [
      { resource: 'PullRequest', field: 'state', code: 'invalid' },
    ]);
  }
  if (base !== undefined && !(await request.store.head(request.fullName, base))) {
    return validationFailed(docs.updatePull, [
      { resource: 'PullRequest', field: 'base', code: 'invalid' },
    ]);
  }
  if (title !== undefined) pull.title = title;
  if (typeof text === 'string' || text === null) pull.body = text;
  if (state === 'open' || state === 'closed') pull.state = state;
  if (base !== undefined) pull.base = base;
  pull.updatedAt = new Date().toISOString();
  return { status: 200, body: await render(request, pull) };
}
