/**
 * The `GitHubClient` over `@actions/github`'s octokit, making only these calls:
 *
 * | method                 | call                                                 | used for                          |
 * |------------------------|------------------------------------------------------|-----------------------------------|
 * | `defaultBranch`        | `GET /repos/{o}/{r}`                                 | the base when none is given       |
 * | `branchHead`           | `GET /repos/{o}/{r}/git/ref/heads/{b}`               | whether the pull request branch exists |
 * | `commit`               | `GET /repos/{o}/{r}/commits/{sha}`                   | whose commit heads that branch    |
 * | `compare`              | `GET /repos/{o}/{r}/compare/{base}...{head}`         | what that branch holds beyond its base |
 * | `createCommitOnBranch` | `POST /graphql` mutation `createCommitOnBranch`      | the signed, compare-and-swap commit |
 * | `createBranch`         | `POST /repos/{o}/{r}/git/refs`                       | the pull request's scratch branch |
 * | `moveBranch`           | `PATCH /repos/{o}/{r}/git/refs/heads/{b}`            | the (bot-owned) pull request branch |
 * | `deleteBranch`         | `DELETE /repos/{o}/{r}/git/refs/heads/{b}`           | removing the scratch branch       |
 * | `findOpenPullRequest`  | `GET /repos/{o}/{r}/pulls?head=o:b&base=b&state=open` | the pull request to update       |
 * | `createPullRequest`    | `POST /repos/{o}/{r}/pulls`                          | opening it                        |
 * | `updatePullRequest`    | `PATCH /repos/{o}/{r}/pulls/{n}`                     | refreshing its title and body     |
 *
 * `getOctokit` has no retry or throttling plugin; the landers decide what to retry.
 */
import { getOctokit } from '@actions/github';
import type {
  CommitOnBranchInput,
  CommitOnBranchResult,
  CommitSummary,
  Comparison,
  GitHubClient,
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
          fileChanges: {
            additions: input.changes.map((change) => ({
              path: change.path,
              contents: Buffer.from(change.content, 'utf8').toString('base64'),
            })),
          },
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
      const { data } = answer;
      return {
        sha: data.sha,
        message: data.commit.message,
        parents: data.parents.map((parent) => parent.sha),
      };
    });
  }

  compare(base: string, head: string): Promise<Comparison | 'unrelated'> {
    const run = async (): Promise<Comparison | 'unrelated'> => {
      const answer = await this.#octokit.request('GET /repos/{owner}/{repo}/compare/{basehead}', {
        ...this.repository,
        basehead: `${base}...${head}`,
      });
      const { data } = answer;
      return {
        aheadBy: data.ahead_by,
        behindBy: data.behind_by,
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

  moveBranch(branch: string, sha: string, force: boolean): Promise<'moved' | 'missing'> {
    const run = async () => {
      await this.#octokit.request('PATCH /repos/{owner}/{repo}/git/refs/{ref}', {
        ...this.repository,
        ref: `heads/${branch}`,
        sha,
        force,
      });
      return 'moved' as const;
    };
    const missing = (thrown: unknown) =>
      is422(thrown, 'Reference does not exist') ? ('missing' as const) : undefined;
    return this.#call('move branch', `${this.#name}@${branch}`, run, missing);
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

function pullRequestOf(data: { number: number; html_url: string }): PullRequest {
  return { number: data.number, url: data.html_url };
}
