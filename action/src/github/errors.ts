/**
 * Failures of GitHub API calls, as one error type that keeps what GitHub said (the HTTP status,
 * the GraphQL error type, GitHub's own message) and never the token.
 *
 * Octokit's errors carry the whole request (for `createCommitOnBranch`, every file's content)
 * and the response headers; they are not chained as `cause`, so that logging an error cannot
 * dump them. What a user needs is in the message: the operation, the repository, GitHub's answer
 * and, for authentication and permission failures, what to check.
 */
import { messageOf, StepError } from '@kustodian/shared/errors';
import { redactAll } from '@kustodian/shared/redact';

/** A GitHub API call that failed. */
export class GitHubApiError extends StepError {
  /** The HTTP status GitHub answered; undefined when GitHub was not reached. */
  readonly status: number | undefined;
  /** For GraphQL: the `type` of the first error (`FORBIDDEN`, `NOT_FOUND`, ...). */
  readonly type: string | undefined;
  /** GitHub's own message, redacted. */
  readonly githubMessage: string;

  constructor(
    operation: string,
    object: string,
    answer: { status?: number; type?: string; message: string },
  ) {
    super(operation, object, describe(answer));
    this.name = 'GitHubApiError';
    this.status = answer.status;
    this.type = answer.type;
    this.githubMessage = answer.message;
  }
}

/** Where a call went, for error messages, and the secret to keep out of them. */
export interface CallSite {
  /** What was being done: `create pull request`, `createCommitOnBranch`, ... */
  readonly operation: string;
  /** What it was done to: `owner/name` or `owner/name@branch`. */
  readonly object: string;
  /** The API's base URL, named when it could not be reached. */
  readonly apiUrl: string;
  readonly token: string;
}

function describe(answer: { status?: number; type?: string; message: string }): string {
  const what = answer.type ?? (answer.status === undefined ? undefined : `HTTP ${answer.status}`);
  const text = what === undefined ? answer.message : `GitHub answered ${what}: ${answer.message}`;
  const hint = hintFor(answer.status, answer.type);
  return hint ? `${text} (${hint})` : text;
}

function hintFor(status: number | undefined, type: string | undefined): string | undefined {
  if (status === 401) return 'the token is missing, wrong or expired; check the `token` input';
  if (status === 403 || type === 'FORBIDDEN') {
    return 'the token lacks permission; it needs contents: write, and pull-requests: write for commit: pull-request';
  }
  if (status === 404 || type === 'NOT_FOUND') {
    return 'check the repository name, and that the token can see the repository';
  }
  return undefined;
}

/** The shape of octokit's HTTP errors that matters here. */
interface HttpErrorLike {
  readonly status?: unknown;
  readonly response?: { readonly data?: unknown };
}

/** The shape of octokit's GraphQL response errors that matters here. */
interface GraphqlErrorLike {
  readonly errors?: unknown;
}

/** One GraphQL error entry. */
export interface GraphqlError {
  readonly type?: string;
  readonly message: string;
}

/** The entries of a GraphQL `errors` list, or undefined when `thrown` carries none. */
export function graphqlErrorsOf(thrown: unknown): GraphqlError[] | undefined {
  const errors = (thrown as GraphqlErrorLike | null)?.errors;
  if (!Array.isArray(errors)) return undefined;
  return errors.map((error: { type?: unknown; message?: unknown }) => ({
    ...(typeof error.type === 'string' ? { type: error.type } : {}),
    message: typeof error.message === 'string' ? error.message : 'unknown error',
  }));
}

/** The HTTP status of an answer GitHub gave, or undefined when there was no answer. */
export function statusOf(thrown: unknown): number | undefined {
  const error = thrown as HttpErrorLike | null;
  return error?.response && typeof error.status === 'number' ? error.status : undefined;
}

/** GitHub's `message` and the messages of its `errors` list, for an HTTP error. */
export function restMessagesOf(thrown: unknown): string[] {
  const data = (thrown as HttpErrorLike | null)?.response?.data as
    | { message?: unknown; errors?: unknown }
    | undefined;
  const messages = typeof data?.message === 'string' ? [data.message] : [];
  if (Array.isArray(data?.errors)) {
    for (const entry of data.errors as { message?: unknown; code?: unknown; field?: unknown }[]) {
      if (typeof entry.message === 'string') messages.push(entry.message);
      else if (typeof entry.field === 'string')
        messages.push(`${entry.field} ${String(entry.code)}`);
    }
  }
  return messages;
}

/** Turns whatever a call threw into a {@link GitHubApiError}, redacting the token. */
export function toGitHubApiError(thrown: unknown, site: CallSite): GitHubApiError {
  const clean = (text: string) => redactAll(text, [site.token]);
  const graphql = graphqlErrorsOf(thrown);
  if (graphql && graphql.length > 0) {
    const first = graphql[0];
    const message = clean(graphql.map((error) => error.message).join('; '));
    return new GitHubApiError(site.operation, site.object, {
      ...(first?.type ? { type: first.type } : {}),
      message,
    });
  }
  const status = statusOf(thrown);
  if (status !== undefined) {
    const messages = restMessagesOf(thrown);
    const message = clean(messages.length > 0 ? messages.join(': ') : messageOf(thrown));
    return new GitHubApiError(site.operation, site.object, { status, message });
  }
  return new GitHubApiError(site.operation, site.object, {
    message: clean(`could not reach the GitHub API at ${site.apiUrl}: ${messageOf(thrown)}`),
  });
}
