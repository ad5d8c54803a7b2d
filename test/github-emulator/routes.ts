/**
 * The emulator's route table: each REST endpoint the action calls, with the rules GitHub applies
 * before any handler runs (the repository must exist and be visible, writes need write access).
 */
import type { RepositoryStore } from './repositories.ts';
import { docs, notAccessible, notFound, type Reply } from './responses.ts';
import type { EmulatorState, EmulatorToken } from './state.ts';

/** Everything a handler may use for one request. */
export interface RequestContext {
  readonly method: string;
  /** The decoded path, without the query. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** The parsed JSON body; undefined without one. */
  readonly body: unknown;
  readonly user: EmulatorToken;
  readonly store: RepositoryStore;
  readonly state: EmulatorState;
  /** Base URLs: `api` as `GITHUB_API_URL`, `web` as `GITHUB_SERVER_URL` (also the git server). */
  readonly urls: { readonly api: string; readonly web: string };
}

/** A request for one repository: `owner/name` and the rest of the path's captures. */
export interface RepositoryRequest extends RequestContext {
  readonly owner: string;
  readonly repo: string;
  readonly fullName: string;
  readonly params: readonly string[];
}

/** One REST endpoint under `/repos/{owner}/{repo}`. */
export interface Route {
  readonly method: string;
  /** Matched against the path after `/repos/{owner}/{repo}`; captures become `params`. */
  readonly pattern: RegExp;
  readonly write: boolean;
  /** The documentation page GitHub names in this endpoint's errors. */
  readonly doc: string;
  handle(request: RepositoryRequest): Promise<Reply>;
}

const repositoryPath = /^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/;

/** Finds the route for a request and applies GitHub's visibility and permission rules. */
export async function dispatch(routes: readonly Route[], context: RequestContext): Promise<Reply> {
  const match = repositoryPath.exec(context.path);
  if (!match) return notFound();
  const [, owner = '', repo = '', rest = ''] = match;
  for (const route of routes) {
    if (route.method !== context.method) continue;
    const params = route.pattern.exec(rest);
    if (!params) continue;
    const fullName = `${owner}/${repo}`;
    if (!(await context.store.exists(fullName))) return notFound(route.doc);
    if (route.write && context.user.access !== 'write') return notAccessible(route.doc);
    return route.handle({ ...context, owner, repo, fullName, params: params.slice(1) });
  }
  return notFound(docs.rest);
}

/** A field of a JSON object body, or undefined. */
export function field(body: unknown, name: string): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  return (body as Record<string, unknown>)[name];
}

/** A string field of a JSON object body, or undefined. */
export function stringField(body: unknown, name: string): string | undefined {
  const value = field(body, name);
  return typeof value === 'string' ? value : undefined;
}
