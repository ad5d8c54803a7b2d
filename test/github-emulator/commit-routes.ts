/**
 * Creating a commit object, as GitHub's Git Database API does:
 *
 * | endpoint                           | answers                                                      |
 * |------------------------------------|--------------------------------------------------------------|
 * | `POST /repos/{o}/{r}/git/commits`  | 201 commit; 422 `Tree SHA does not exist`, `Tree SHA is not a tree object`, `Each SHA in the 'parents' parameter must be exactly 40 characters and contain only [0-9a-f].`, `Parent SHA does not exist or is not a commit object`, `Invalid request.` (a required field missing, a wrong type) |
 *
 * Any number of parents: none (a root commit), one, or two and more (a merge commit). No branch
 * moves. As on GitHub, the author defaults to the token's account; when an app's token (see
 * `isApp`) gives no author, committer or signature, GitHub is the committer and signs the commit.
 * The emulator takes no `signature`.
 */

import { verificationOf } from './repo-routes.ts';
import type { CommitInfo, Signature } from './repositories.ts';
import { docs, type Reply, restError } from './responses.ts';
import { field, type RepositoryRequest, type Route, stringField } from './routes.ts';
import { isApp, nodeId } from './state.ts';

/** The commit routes. */
export const commitRoutes: readonly Route[] = [
  {
    method: 'POST',
    pattern: /^\/git\/commits$/,
    write: true,
    doc: docs.createCommit,
    handle: createCommit,
  },
];

/** Who commits for GitHub when it signs (its web committer). */
const webCommitter: Signature = { name: 'GitHub', email: 'noreply@github.com' };

const invalid = (message: string) => restError(422, message, docs.createCommit);

async function createCommit(request: RepositoryRequest): Promise<Reply> {
  const { store, state, fullName, body, user } = request;
  const input = parseInput(body);
  if (typeof input === 'string') return invalid(`Invalid request.\n\n${input}`);
  const { tree, parents, author, committer, message } = input;
  const type = await store.objectType(fullName, tree);
  if (type === undefined) return invalid('Tree SHA does not exist');
  if (type !== 'tree') return invalid('Tree SHA is not a tree object');
  if (!parents.every((each) => /^[0-9a-f]{40}$/.test(each))) {
    return invalid(
      "Each SHA in the 'parents' parameter must be exactly 40 characters and contain only [0-9a-f].",
    );
  }
  for (const parent of parents) {
    if ((await store.objectType(fullName, parent)) !== 'commit') {
      return invalid('Parent SHA does not exist or is not a commit object');
    }
  }
  const signs = isApp(user) && author === undefined && committer === undefined;
  const by = author ?? { name: user.login, email: `${user.login}@users.noreply.github.com` };
  const sha = await store.writeTreeCommit(fullName, {
    tree,
    parents,
    message,
    author: by,
    committer: signs ? webCommitter : (committer ?? by),
  });
  if (signs) state.signed.add(sha);
  return { status: 201, body: await gitCommitObject(request, await store.commit(fullName, sha)) };
}

/** The request, as GitHub's schema checks it; a string says what is wrong. */
function parseInput(body: unknown):
  | {
      message: string;
      tree: string;
      parents: string[];
      author: Signature | undefined;
      committer: Signature | undefined;
    }
  | string {
  const message = stringField(body, 'message');
  if (message === undefined) return `"message" wasn't supplied.`;
  const tree = stringField(body, 'tree');
  if (tree === undefined) return `"tree" wasn't supplied.`;
  const parents = field(body, 'parents') ?? [];
  if (!Array.isArray(parents)) {
    return `For 'properties/parents', ${JSON.stringify(parents)} is not an array.`;
  }
  const notString = parents.find((each) => typeof each !== 'string');
  if (notString !== undefined) return `For 'items', ${JSON.stringify(notString)} is not a string.`;
  const author = signatureOf(field(body, 'author'));
  if (typeof author === 'string') return author;
  const committer = signatureOf(field(body, 'committer'));
  if (typeof committer === 'string') return committer;
  if (field(body, 'signature') !== undefined) return 'The emulator takes no "signature".';
  return { message, tree, parents, author, committer };
}

/** An `author` or `committer` field: absent, a name and an email, or what it lacks. */
function signatureOf(value: unknown): Signature | undefined | string {
  if (value === undefined) return undefined;
  const name = stringField(value, 'name');
  const email = stringField(value, 'email');
  if (name === undefined) return `"name" wasn't supplied.`;
  if (email === undefined) return `"email" wasn't supplied.`;
  return { name, email };
}

/** A commit in the Git Database API's shape (`git-commit`). */
async function gitCommitObject(request: RepositoryRequest, info: CommitInfo): Promise<unknown> {
  const { fullName, urls } = request;
  const api = `${urls.api}/repos/${fullName}/git`;
  return {
    sha: info.sha,
    node_id: nodeId('Commit', `${fullName}:${info.sha}`),
    url: `${api}/commits/${info.sha}`,
    html_url: `${urls.web}/${fullName}/commit/${info.sha}`,
    author: info.author,
    committer: info.committer,
    tree: { sha: info.tree, url: `${api}/trees/${info.tree}` },
    message: info.message,
    parents: info.parents.map((parent) => ({
      sha: parent,
      url: `${api}/commits/${parent}`,
      html_url: `${urls.web}/${fullName}/commit/${parent}`,
    })),
    verification: await verificationOf(request, info),
  };
}
