/**
 * GitHub's answer shapes, as the emulator sends them.
 *
 * REST errors are `{ message, documentation_url, status }` (the status as a string, as GitHub
 * sends it since 2024), with an `errors` list for 422 validation failures. GraphQL answers are
 * always HTTP 200 once authenticated, even when a mutation fails: the failure is an entry of
 * `errors` with a `type` (`STALE_DATA`, `NOT_FOUND`, `FORBIDDEN`, ...), the `path` of the field
 * and the `locations` of that field in the query text, next to `data: { <field>: null }`.
 * Only authentication failures of `/graphql` are plain HTTP 401s in the REST shape.
 */

/** What a route handler answers: a status and a JSON body (or none, for 204). */
export interface Reply {
  readonly status: number;
  readonly body?: unknown;
}

/** Documentation pages GitHub names in its errors, per endpoint. */
export const docs = {
  rest: 'https://docs.github.com/rest',
  graphql: 'https://docs.github.com/graphql',
  getRepository: 'https://docs.github.com/rest/repos/repos#get-a-repository',
  getCommit: 'https://docs.github.com/rest/commits/commits#get-a-commit',
  compareCommits: 'https://docs.github.com/rest/commits/commits#compare-two-commits',
  listPulls: 'https://docs.github.com/rest/pulls/pulls#list-pull-requests',
  createPull: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  updatePull: 'https://docs.github.com/rest/pulls/pulls#update-a-pull-request',
  createCommit: 'https://docs.github.com/rest/git/commits#create-a-commit',
  getRef: 'https://docs.github.com/rest/git/refs#get-a-reference',
  createRef: 'https://docs.github.com/rest/git/refs#create-a-reference',
  updateRef: 'https://docs.github.com/rest/git/refs#update-a-reference',
  deleteRef: 'https://docs.github.com/rest/git/refs#delete-a-reference',
} as const;

/** One entry of a 422's `errors` list. */
export interface ValidationError {
  readonly resource: string;
  readonly code: string;
  readonly field?: string;
  readonly message?: string;
}

/** A REST error in GitHub's shape. */
export function restError(
  status: number,
  message: string,
  documentationUrl: string = docs.rest,
  errors?: readonly ValidationError[],
): Reply {
  return {
    status,
    body: {
      message,
      ...(errors ? { errors } : {}),
      documentation_url: documentationUrl,
      status: String(status),
    },
  };
}

/** 401 for a token GitHub does not know; `/graphql` names its own documentation page. */
export function badCredentials(documentationUrl: string = docs.rest): Reply {
  return restError(401, 'Bad credentials', documentationUrl);
}

/** 401 for a request without any credentials. */
export function requiresAuthentication(documentationUrl: string = docs.rest): Reply {
  return restError(401, 'Requires authentication', documentationUrl);
}

/** 404: GitHub's answer for what does not exist and for what the token may not see. */
export function notFound(documentationUrl: string = docs.rest): Reply {
  return restError(404, 'Not Found', documentationUrl);
}

/** 403 for a token that may read but not write. */
export function notAccessible(documentationUrl: string): Reply {
  return restError(403, 'Resource not accessible by integration', documentationUrl);
}

/** 422 `Validation Failed` with its list of problems. */
export function validationFailed(
  documentationUrl: string,
  errors: readonly ValidationError[],
): Reply {
  return restError(422, 'Validation Failed', documentationUrl, errors);
}

/** GraphQL error types the emulator answers with. */
export const graphqlErrorTypes = ['STALE_DATA', 'NOT_FOUND', 'FORBIDDEN', 'UNPROCESSABLE'] as const;
export type GraphqlErrorType = (typeof graphqlErrorTypes)[number];

/** Where a field sits in the query text, 1-based as GraphQL reports it. */
export interface GraphqlLocation {
  readonly line: number;
  readonly column: number;
}

/** A failed mutation field: `data: { <field>: null }` and one typed error naming the field. */
export function graphqlFieldError(
  field: string,
  type: GraphqlErrorType,
  message: string,
  locations: readonly GraphqlLocation[],
): Reply {
  const error = {
    type,
    path: [field],
    ...(type === 'FORBIDDEN' ? { extensions: { saml_failure: false } } : {}),
    locations,
    message,
  };
  return { status: 200, body: { data: { [field]: null }, errors: [error] } };
}

/** An error the query itself causes (bad variables, unknown fields): no `data` at all. */
export function graphqlRequestError(
  message: string,
  locations: readonly GraphqlLocation[],
  extensions?: Record<string, unknown>,
): Reply {
  return {
    status: 200,
    body: { errors: [{ ...(extensions ? { extensions } : {}), locations, message }] },
  };
}

/** The 1-based line and column of the first `name` in `query`, as GraphQL `locations` give it. */
export function locate(query: string, name: string): GraphqlLocation[] {
  const offset = query.indexOf(name);
  if (offset < 0) return [];
  const before = query.slice(0, offset).split('\n');
  return [{ line: before.length, column: (before.at(-1)?.length ?? 0) + 1 }];
}
