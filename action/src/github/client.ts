/**
 * The `GitHubClient` over `@actions/github`'s octokit, making only these calls:
 *
 * | method                 | call                                                 | used for                          |
 * |------------------------|------------------------------------------------------|-----------------------------------|
 * | `defaultBranch`        | `GET /repos/{o}/{r}`                                 | the base when none is given       |
 * | `branchHead`           | `GET /repos/{o}/{r}/git/ref/heads/{b}`               | whether the pull request branch exists |
 * | `commit`               | `GET /repos/{o}/{r}/commits/{sha}`                   | whose commit heads that branch, a commit's tree |
 * | `compare`              | `GET /repos/{o}/{r}/compare/{base}...{head}?per_page=100&page=n` | what that branch holds beyond its base |
 * | `createCommitOnBranch` | `POST /graphql` mutation `createCommitOnBranch`      | the signed, compare-and-swap commit |
 * | `createCommit`         | `POST /repos/{o}/{r}/git/commits`                    | the pull request's merge commit   |
 * | `createBranch`         | `POST /repos/{o}/{r}/git/refs`                       | the pull request's scratch branch |
 * | `moveBranch`           | `PATCH /repos/{o}/{r}/git/refs/heads/{b}`, `force: false` | fast-forwarding the pull request branch |
 * | `deleteBranch`         | `DELETE /repos/{o}/{r}/git/refs/heads/{b}`           | removing the scratch branch       |
 * | `findOpenPullRequest`  | `GET /repos/{o}/{r}/pulls?head=o:b&base=b&state=open` | the pull request to update       |
 * | `createPullRequest`    | `POST /repos/{o}/{r}/pulls`                          | opening it                        |
 * | `updatePullRequest`    | `PATCH /repos/{o}/{r}/pulls/{n}`                     | refreshing its title and body     |
 *
 * `getOctokit` has no retry or throttling plugin; the landers decide what to retry. No call can
 * force a branch: `moveBranch` always sends `force: false`, so GitHub moves the branch only when
 * the new commit descends from its head, and answers 422 `Update is not a fast forward` otherwise.
 */
import { getOctokit } from '@actions/github';
import type { FileChange } from '../land/types.ts';
import type {
  CommitOnBranchInput,
  CommitOnBranchResult,
  CommitSummary,
  Comparison,
  GitHubClient,
  MoveResult,
  NewCommit,
  PullRequest,
  PullRequestText,
  RepositoryName,
} from './api.ts';
import { splitCommitMessage } from './commit-message.ts';
import { graphqlErrorsOf, restMessagesOf, statusOf, toGitHubApiError } from './errors.ts';

/** Where the API is and who calls it. */
export interface GitHubClientOptions {
  readonly token: string;
  /** `GITHUB_API_URL`: `https://api.github.com`, a GHES `https://host/api/v3`, or an emulator. */
  readonly apiUrl: string;
  readonly repository: RepositoryName;
}

/** Creates the client. Nothing is called until a method is. */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  return new OctokitClient(options);
}

const createCommitMutation = `mutation CreateCommitOnBranch($input: CreateCommitOnBranchInput!) {
  createCommitOnBranch(input: $input) {
    commit { oid url }
  }
}`;

type Octokit = ReturnType<typeof getOctokit>;

/** The mutation's `fileChanges`: the written files as base64 `additions`, the removed ones as `deletions`. */
function fileChangesOf(changes: readonly FileChange[]) {
  const additions: { path: string; contents: string }[] = [];
  const deletions: { path: string }[] = [];
  for (const change of changes) {
    if (change.deleted) deletions.push({ path: change.path });
    else
      additions.push({
        path: change.path,
        contents: Buffer.from(change.content, 'utf8').toString('base64'),
      });
  }
  return deletions.length === 0 ? { additions } : { additions, deletions };
}

class OctokitClient implements GitHubClient {
  readonly repository: RepositoryName;
  readonly #octokit: Octokit;
  readonly #token: string;
  readonly #apiUrl: string;
  readonly #name: string;

  constructor(options: GitHubClientOptions) {
    this.repository = options.repository;
    this.#token = options.token;
    this.#name = `${options.repository.owner}/${options.repository.repo}`;
    this.#apiUrl = options.apiUrl.replace(/\/+$/, '');
    this.#octokit = getOctokit(options.token, { baseUrl: this.#apiUrl });
  }

  defaultBranch(): Promise<string> {
    return this.#call('read repository', this.#name, async () => {
      const answer = await this.#octokit.request('GET /repos/{owner}/{repo}', {
        ...this.repository,
      });
      return answer.data.default_branch;
    });
  }

  createCommitOnBranch(input: CommitOnBranchInput): Promise<CommitOnBranchResult> {
    const run = async (): Promise<CommitOnBranchResult> => {
      const answer = await this.#octokit.graphql<{
        createCommitOnBranch: { commit: { oid: string; url: string } };
      }>({
        query: createCommitMutation,
        input: {
          branch: { repositoryNameWithOwner: this.#name, branchName: input.branch },
          expectedHeadOid: input.expectedHeadOid,
          message: splitCommitMessage(input.message),
          fileChanges: fileChangesOf(input.changes),
        },
      });
      const { oid, url } = answer.createCommitOnBranch.commit;
      return { kind: 'committed', oid, url };
    };
    // GitHub answers a moved branch with HTTP 200 and a STALE_DATA error, never a status code.
    const stale = (thrown: unknown): CommitOnBranchResult | undefined => {
      const error = graphqlErrorsOf(thrown)?.find((each) => each.type === 'STALE_DATA');
      return error ? { kind: 'stale', message: error.message } : undefined;
    };
    return this.#call('createCommitOnBranch', `${this.#name}@${input.branch}`, run, stale);
  }

  branchHead(branch: string): Promise<string | undefined> {
    const run = async (): Promise<string> => {
      const answer = await this.#octokit.request('GET /repos/{owner}/{repo}/git/ref/{ref}', {
        ...this.repository,
        ref: `heads/${branch}`,
      });
      return answer.data.object.sha;
    };
    const missing = (thrown: unknown) =>
      statusOf(thrown) === 404 ? ('missing' as const) : undefined;
    return this.#call('read branch', `${this.#name}@${branch}`, run, missing).then((sha) =>
      sha === 'missing' ? undefined : sha,
    );
  }

  commit(sha: string): Promise<CommitSummary> {
    return this.#call('read commit', `${this.#name}@${sha}`, async () => {
      const answer = await this.#octokit.request('GET /repos/{owner}/{repo}/commits/{ref}', {
        ...this.repository,
        ref: sha,
      });
      return commitSummaryOf(answer.data);
    });
  }

  compare(base: string, head: string): Promise<Comparison | 'unrelated'> {
    const run = async (): Promise<Comparison | 'unrelated'> => {
      const page = (number: number) =>
        this.#octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
          ...this.repository,
          basehead: `${base}...${head}`,
          per_page: comparePageSize,
          page: number,
        });
      // With paging, the first page has the files of the whole comparison and every page up to
      // `per_page` commits, oldest first; without it GitHub lists only the newest 250.
      const { data } = await page(1);
      const commits = data.commits.map(commitSummaryOf);
      for (let number = 2; commits.length < data.ahead_by; number++) {
        const next = (await page(number)).data.commits;
        if (next.length === 0) break;
        commits.push(...next.map(commitSummaryOf));
      }
      return {
        aheadBy: data.ahead_by,
        behindBy: data.behind_by,
        commits,
        files: (data.files ?? []).map((file) => ({
          path: file.filename,
          status: file.status,
          sha: file.sha ?? '',
        })),
      };
    };
    const unrelated = (thrown: unknown) =>
      statusOf(thrown) === 404 &&
      restMessagesOf(thrown).some((each) => each.startsWith('No common ancestor'))
        ? ('unrelated' as const)
        : undefined;
    return this.#call('compare', `${this.#name}@${base}...${head}`, run, unrelated);
  }

  createBranch(branch: string, sha: string): Promise<'created' | 'exists'> {
    const run = async () => {
      const ref = `refs/heads/${branch}`;
      await this.#octokit.request('POST /repos/{owner}/{repo}/git/refs', {
        ...this.repository,
        ref,
        sha,
      });
      return 'created' as const;
    };
    const exists = (thrown: unknown) =>
      is422(thrown, 'Reference already exists') ? ('exists' as const) : undefined;
    return this.#call('create branch', `${this.#name}@${branch}`, run, exists);
  }

  createCommit(commit: NewCommit): Promise<string> {
    return this.#call('create commit', `${this.#name}@${commit.parents.join(',')}`, async () => {
      // No author, committer or signature: GitHub then signs a commit an app's token makes.
      const answer = await this.#octokit.request('POST /repos/{owner}/{repo}/git/commits', {
        ...this.repository,
        message: commit.message,
        tree: commit.tree,
        parents: [...commit.parents],
      });
      return answer.data.sha;
    });
  }

  moveBranch(branch: string, sha: string): Promise<MoveResult> {
    const run = async () => {
      await this.#octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...this.repository,
        ref: `heads/${branch}`,
        sha,
        force: false,
      });
      return 'moved' as const;
    };
    const expected = (thrown: unknown): MoveResult | undefined => {
      if (is422(thrown, 'Reference does not exist')) return 'missing';
      if (is422(thrown, 'Update is not a fast forward')) return 'not-fast-forward';
      return undefined;
    };
    return this.#call('move branch', `${this.#name}@${branch}`, run, expected);
  }

  deleteBranch(branch: string): Promise<'deleted' | 'missing'> {
    const run = async () => {
      await this.#octokit.request('DELETE /repos/{owner}/{repo}/git/refs/{ref}', {
        ...this.repository,
        ref: `heads/${branch}`,
      });
      return 'deleted' as const;
    };
    const missing = (thrown: unknown) =>
      is422(thrown, 'Reference does not exist') ? ('missing' as const) : undefined;
    return this.#call('delete branch', `${this.#name}@${branch}`, run, missing);
  }

  findOpenPullRequest(head: string, base: string): Promise<PullRequest | undefined> {
    return this.#call('find pull request', `${this.#name}@${head}`, async () => {
      const answer = await this.#octokit.request('GET /repos/{owner}/{repo}/pulls', {
        ...this.repository,
        head: `${this.repository.owner}:${head}`,
        base,
        state: 'open',
      });
      const found = answer.data[0];
      return found ? pullRequestOf(found) : undefined;
    });
  }

  createPullRequest(
    input: PullRequestText & { readonly head: string; readonly base: string },
  ): Promise<PullRequest | 'exists'> {
    const run = async (): Promise<PullRequest | 'exists'> => {
      const answer = await this.#octokit.request('POST /repos/{owner}/{repo}/pulls', {
        ...this.repository,
        ...input,
      });
      return pullRequestOf(answer.data);
    };
    const exists = (thrown: unknown) =>
      is422(thrown, 'A pull request already exists') ? ('exists' as const) : undefined;
    return this.#call('create pull request', `${this.#name}@${input.head}`, run, exists);
  }

  updatePullRequest(number: number, text: PullRequestText): Promise<PullRequest> {
    return this.#call('update pull request', `${this.#name}#${number}`, async () => {
      const answer = await this.#octokit.request(
        'PATCH /repos/{owner}/{repo}/pulls/{pull_number}',
        { ...this.repository, pull_number: number, title: text.title, body: text.body },
      );
      return pullRequestOf(answer.data);
    });
  }

  /** Runs one call; `expected` maps expected failures to data, the rest become errors. */
  async #call<T>(
    operation: string,
    object: string,
    run: () => Promise<T>,
    expected?: (thrown: unknown) => T | undefined,
  ): Promise<T> {
    try {
      return await run();
    } catch (thrown) {
      const mapped = expected?.(thrown);
      if (mapped !== undefined) return mapped;
      const site = { operation, object, apiUrl: this.#apiUrl, token: this.#token };
      throw toGitHubApiError(thrown, site);
    }
  }
}

/** Whether `thrown` is a 422 one of whose messages includes `text`. */
function is422(thrown: unknown, text: string): boolean {
  return statusOf(thrown) === 422 && restMessagesOf(thrown).some((each) => each.includes(text));
}

/** Commits per page of a comparison: GitHub's largest page. */
const comparePageSize = 100;

/** A commit as `GET commits/{sha}` and the `commits` of a comparison give it. */
function commitSummaryOf(data: {
  sha: string;
  commit: { message: string; tree: { sha: string } };
  parents: readonly { sha: string }[];
}): CommitSummary {
  return {
    sha: data.sha,
    message: data.commit.message,
    tree: data.commit.tree.sha,
    parents: data.parents.map((parent) => parent.sha),
  };
}

function pullRequestOf(data: { number: number; html_url: string }): PullRequest {
  return { number: data.number, url: data.html_url };
}
