/**
 * REST endpoints on a repository and its refs:
 *
 * | endpoint                                   | answers                                                    |
 * |--------------------------------------------|------------------------------------------------------------|
 * | `GET /repos/{o}/{r}`                       | 200 repository (with `default_branch`)                     |
 * | `GET /repos/{o}/{r}/commits/{ref}`         | 200 commit with `commit.verification`; 422 unknown ref     |
 * | `GET /repos/{o}/{r}/git/ref/heads/{b}`     | 200 ref; 404 `Not Found`                                   |
 * | `POST /repos/{o}/{r}/git/refs`             | 201 ref; 422 `Reference already exists`, `Object does not exist` |
 * | `PATCH /repos/{o}/{r}/git/refs/heads/{b}`  | 200 ref; 422 `Reference does not exist`, `Update is not a fast forward` |
 * | `DELETE /repos/{o}/{r}/git/refs/heads/{b}` | 204; 422 `Reference does not exist`                        |
 *
 * Only branches (`refs/heads/*`) are supported, which is all the action uses.
 */
import { execaRunner } from '@kustodian/shared/exec';
import type { CommitInfo } from './repositories.ts';
import { docs, notFound, type Reply, restError } from './responses.ts';
import { field, type RepositoryRequest, type Route, stringField } from './routes.ts';
import { nodeId, numericId } from './state.ts';

/** The repository routes. */
export const repositoryRoutes: readonly Route[] = [
  { method: 'GET', pattern: /^$/, write: false, doc: docs.getRepository, handle: getRepository },
  {
    method: 'GET',
    pattern: /^\/commits\/(.+)$/,
    write: false,
    doc: docs.getCommit,
    handle: getCommit,
  },
  {
    method: 'GET',
    pattern: /^\/git\/ref\/heads\/(.+)$/,
    write: false,
    doc: docs.getRef,
    handle: getRef,
  },
  { method: 'POST', pattern: /^\/git\/refs$/, write: true, doc: docs.createRef, handle: createRef },
  {
    method: 'PATCH',
    pattern: /^\/git\/refs\/heads\/(.+)$/,
    write: true,
    doc: docs.updateRef,
    handle: updateRef,
  },
  {
    method: 'DELETE',
    pattern: /^\/git\/refs\/heads\/(.+)$/,
    write: true,
    doc: docs.deleteRef,
    handle: deleteRef,
  },
];

async function getRepository(request: RepositoryRequest): Promise<Reply> {
  const { fullName, owner, repo, urls, user } = request;
  return {
    status: 200,
    body: {
      id: numericId(fullName),
      node_id: nodeId('Repository', fullName),
      name: repo,
      full_name: fullName,
      private: true,
      owner: { login: owner, id: numericId(owner), type: 'Organization' },
      html_url: `${urls.web}/${fullName}`,
      url: `${urls.api}/repos/${fullName}`,
      clone_url: `${urls.web}/${fullName}.git`,
      default_branch: await request.store.defaultBranch(fullName),
      visibility: 'private',
      permissions: { admin: false, maintain: false, push: user.access === 'write', pull: true },
    },
  };
}

async function getCommit(request: RepositoryRequest): Promise<Reply> {
  const ref = request.params[0] ?? '';
  const sha = await resolveCommit(request, ref);
  if (!sha) return restError(422, `No commit found for SHA: ${ref}`, docs.getCommit);
  return { status: 200, body: await commitObject(request, sha) };
}

/** A full commit sha, or a branch name, as the commit it names; undefined when it names none. */
export async function resolveCommit(
  request: RepositoryRequest,
  ref: string,
): Promise<string | undefined> {
  const { store, fullName } = request;
  return (await store.hasCommit(fullName, ref)) ? ref : await store.head(fullName, ref);
}

/** A commit in GitHub's shape (as `GET commits/{ref}` and the `commits` of a comparison give it). */
export async function commitObject(request: RepositoryRequest, sha: string): Promise<unknown> {
  const { store, fullName, urls } = request;
  const info = await store.commit(fullName, sha);
  return {
    sha,
    node_id: nodeId('Commit', `${fullName}:${sha}`),
    url: `${urls.api}/repos/${fullName}/commits/${sha}`,
    html_url: `${urls.web}/${fullName}/commit/${sha}`,
    commit: {
      author: info.author,
      committer: info.committer,
      message: info.message,
      tree: { sha: info.tree, url: `${urls.api}/repos/${fullName}/git/trees/${info.tree}` },
      comment_count: 0,
      verification: await verificationOf(request, info),
    },
    parents: info.parents.map((parent) => ({
      sha: parent,
      url: `${urls.api}/repos/${fullName}/commits/${parent}`,
    })),
  };
}

/** A commit's `verification`: valid when GitHub signed it (see `EmulatorState.signed`). */
export async function verificationOf(
  request: RepositoryRequest,
  info: CommitInfo,
): Promise<Record<string, unknown>> {
  const { store, fullName, state } = request;
  if (!state.signed.has(info.sha)) {
    return {
      verified: false,
      reason: 'unsigned',
      signature: null,
      payload: null,
      verified_at: null,
    };
  }
  const raw = await execaRunner('git', ['cat-file', 'commit', info.sha], {
    cwd: store.dirOf(fullName),
  });
  return {
    verified: true,
    reason: 'valid',
    signature: '-----BEGIN PGP SIGNATURE-----\n\n(emulated)\n-----END PGP SIGNATURE-----',
    payload: raw.stdout,
    verified_at: info.committer.date,
  };
}

function refBody(request: RepositoryRequest, branch: string, sha: string): unknown {
  const { urls, fullName } = request;
  return {
    ref: `refs/heads/${branch}`,
    node_id: nodeId('Ref', `${fullName}:refs/heads/${branch}`),
    url: `${urls.api}/repos/${fullName}/git/refs/heads/${branch}`,
    object: { sha, type: 'commit', url: `${urls.api}/repos/${fullName}/git/commits/${sha}` },
  };
}

async function getRef(request: RepositoryRequest): Promise<Reply> {
  const branch = request.params[0] ?? '';
  const sha = await request.store.head(request.fullName, branch);
  if (!sha) return notFound(docs.getRef);
  return { status: 200, body: refBody(request, branch, sha) };
}

async function createRef(request: RepositoryRequest): Promise<Reply> {
  const { store, fullName, body } = request;
  const ref = stringField(body, 'ref');
  const sha = stringField(body, 'sha');
  if (!ref || !/^refs\/heads\/./.test(ref) || !sha) {
    return restError(422, 'Reference name is invalid', docs.createRef);
  }
  if (!(await store.hasCommit(fullName, sha))) {
    return restError(422, 'Object does not exist', docs.createRef);
  }
  const branch = ref.slice('refs/heads/'.length);
  if (!(await store.compareAndSwap(fullName, branch, sha, undefined))) {
    return restError(422, 'Reference already exists', docs.createRef);
  }
  await request.state.branchMoved(store, fullName, branch);
  return { status: 201, body: refBody(request, branch, sha) };
}

async function updateRef(request: RepositoryRequest): Promise<Reply> {
  const { store, fullName, body } = request;
  const branch = request.params[0] ?? '';
  const sha = stringField(body, 'sha');
  const force = field(body, 'force') === true;
  if (!sha || !(await store.hasCommit(fullName, sha))) {
    return restError(422, 'Object does not exist', docs.updateRef);
  }
  // Compare-and-swap against the value the fast-forward check saw, repeated if it moved.
  for (;;) {
    const current = await store.head(fullName, branch);
    if (!current) return restError(422, 'Reference does not exist', docs.updateRef);
    if (!force && !(await store.isAncestor(fullName, current, sha))) {
      return restError(422, 'Update is not a fast forward', docs.updateRef);
    }
    if (await store.compareAndSwap(fullName, branch, sha, current)) break;
  }
  await request.state.branchMoved(store, fullName, branch);
  return { status: 200, body: refBody(request, branch, sha) };
}

async function deleteRef(request: RepositoryRequest): Promise<Reply> {
  const { store, fullName } = request;
  const branch = request.params[0] ?? '';
  for (;;) {
    const current = await store.head(fullName, branch);
    if (!current) return restError(422, 'Reference does not exist', docs.deleteRef);
    if (await store.deleteBranch(fullName, branch, current)) break;
  }
  await request.state.branchMoved(store, fullName, branch);
  return { status: 204 };
}
