/**
 * `POST /graphql`, implementing the one operation the action sends: the `createCommitOnBranch`
 * mutation, with its input in the `$input` variable.
 *
 * The commit is built for real in the bare repository and the branch moves with git's
 * compare-and-swap from `expectedHeadOid`; when the branch is elsewhere (before or during the
 * request) the answer is GitHub's: HTTP 200, `data.createCommitOnBranch: null` and a
 * `STALE_DATA` error whose message names the expected oid. A deletion of a path that is no file at
 * the head is refused (`UNPROCESSABLE`), as GitHub refuses it. Commits made here are recorded as
 * signed, as GitHub signs them. Selection sets are not interpreted: a success always answers
 * `commit { oid url }`.
 */

import {
  type GraphqlLocation,
  graphqlFieldError,
  graphqlRequestError,
  locate,
  type Reply,
  restError,
} from './responses.ts';
import { field, type RequestContext, stringField } from './routes.ts';

const mutation = 'createCommitOnBranch';
const base64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Answers one `/graphql` request. */
export async function graphql(context: RequestContext): Promise<Reply> {
  const query = stringField(context.body, 'query');
  if (query === undefined) return restError(400, 'Problems parsing JSON');
  if (!/\bmutation\b/.test(query) || !query.includes(mutation)) {
    return graphqlRequestError(
      `The emulator implements only the ${mutation} mutation`,
      locate(query, '{'),
    );
  }
  const input = field(field(context.body, 'variables'), 'input');
  const variable = locate(query, '$input');
  const missing = missingInput(input);
  if (missing) {
    return graphqlRequestError(
      `Variable $input of type CreateCommitOnBranchInput! was provided invalid value for ${missing} (Expected value to not be null)`,
      variable,
      {
        value: input ?? null,
        problems: [{ path: missing.split('.'), explanation: 'Expected value to not be null' }],
      },
    );
  }
  return createCommitOnBranch(context, input, locate(query, mutation));
}

/** The first required field `input` lacks, dotted, or undefined when it is complete. */
function missingInput(input: unknown): string | undefined {
  if (input === undefined || input === null) return 'input';
  if (field(input, 'branch') === undefined) return 'branch';
  if (stringField(input, 'expectedHeadOid') === undefined) return 'expectedHeadOid';
  if (stringField(field(input, 'message'), 'headline') === undefined) return 'message.headline';
  return undefined;
}

/** What the mutation's input asks for, checked. */
interface CommitRequest {
  readonly fullName: string;
  readonly branch: string;
  readonly expected: string;
  readonly message: string;
  readonly additions: Map<string, Buffer>;
  readonly deletions: string[];
}

async function createCommitOnBranch(
  context: RequestContext,
  input: unknown,
  at: GraphqlLocation[],
): Promise<Reply> {
  const fail = (type: Parameters<typeof graphqlFieldError>[1], message: string) =>
    graphqlFieldError(mutation, type, message, at);
  const parsed = parseInput(input);
  if (typeof parsed === 'string') return fail('UNPROCESSABLE', parsed);
  const { store, state, user, urls } = context;
  const { fullName, branch, expected } = parsed;
  if (!(await store.exists(fullName))) {
    return fail('NOT_FOUND', `Could not resolve to a Repository with the name '${fullName}'.`);
  }
  if (user.access !== 'write') return fail('FORBIDDEN', 'Resource not accessible by integration');
  const stale = () =>
    fail(
      'STALE_DATA',
      `Expected branch to point to "${expected}" but it did not.  Pull and try again.`,
    );
  const head = await store.head(fullName, branch);
  if (!head)
    return fail('NOT_FOUND', `Could not resolve to a Ref with the name 'refs/heads/${branch}'.`);
  if (head !== expected) return stale();
  // GitHub refuses to delete a path that is no file at the head (missing, or a directory).
  for (const path of parsed.deletions) {
    if ((await store.pathType(fullName, head, path)) !== 'blob') {
      return fail(
        'UNPROCESSABLE',
        `A path was requested for deletion which does not exist as of commit oid \`${head}\``,
      );
    }
  }
  const sha = await store.writeCommit(fullName, {
    parent: head,
    additions: parsed.additions,
    deletions: parsed.deletions,
    message: parsed.message,
    author: { name: user.login, email: `${user.login}@users.noreply.github.com` },
    committer: { name: 'GitHub', email: 'noreply@github.com' },
  });
  state.signed.add(sha);
  if (!(await store.compareAndSwap(fullName, branch, sha, expected))) return stale();
  await state.branchMoved(store, fullName, branch);
  const url = `${urls.web}/${fullName}/commit/${sha}`;
  return { status: 200, body: { data: { [mutation]: { commit: { oid: sha, url } } } } };
}

/** Reads the input, or says what is wrong with it. */
function parseInput(input: unknown): CommitRequest | string {
  const branchInput = field(input, 'branch');
  const fullName = stringField(branchInput, 'repositoryNameWithOwner');
  const branch = stringField(branchInput, 'branchName')?.replace(/^refs\/heads\//, '');
  if (!fullName || !branch) {
    return 'The emulator locates branches by repositoryNameWithOwner and branchName only';
  }
  const message = field(input, 'message');
  const headline = stringField(message, 'headline') ?? '';
  const body = stringField(message, 'body');
  const changes = field(input, 'fileChanges');
  const additions = new Map<string, Buffer>();
  const paths: string[] = [];
  for (const addition of listOf(field(changes, 'additions'))) {
    const path = stringField(addition, 'path') ?? '';
    const contents = stringField(addition, 'contents') ?? '';
    if (!base64.test(contents)) return `The contents of ${path} are not valid base64`;
    additions.set(path, Buffer.from(contents, 'base64'));
    paths.push(path);
  }
  const deletions = listOf(field(changes, 'deletions')).map(
    (each) => stringField(each, 'path') ?? '',
  );
  paths.push(...deletions);
  if (new Set(paths).size !== paths.length) return 'A path was given more than once in fileChanges';
  const bad = paths.find((path) => !validPath(path));
  if (bad !== undefined) return `Invalid path in fileChanges: '${bad}'`;
  return {
    fullName,
    branch,
    expected: stringField(input, 'expectedHeadOid') ?? '',
    message: body ? `${headline}\n\n${body}` : headline,
    additions,
    deletions,
  };
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A repository path: relative, `/`-separated, no empty, `.` or `..` segment. */
function validPath(path: string): boolean {
  return (
    path !== '' && path.split('/').every((part) => part !== '' && part !== '.' && part !== '..')
  );
}
