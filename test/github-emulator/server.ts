/**
 * The emulator's HTTP handling: authentication by token, JSON bodies, dispatch to `/graphql` or
 * the REST routes, the answer, and the request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { commitRoutes } from './commit-routes.ts';
import { compareRoutes } from './compare-routes.ts';
import { graphql } from './graphql.ts';
import { pullRequestRoutes } from './pull-routes.ts';
import { repositoryRoutes } from './repo-routes.ts';
import type { RepositoryStore } from './repositories.ts';
import {
  badCredentials,
  docs,
  type Reply,
  requiresAuthentication,
  restError,
} from './responses.ts';
import { dispatch, type RequestContext } from './routes.ts';
import type { EmulatorState, EmulatorToken } from './state.ts';

/** What every request is served with. */
export interface Shared {
  readonly tokens: readonly EmulatorToken[];
  readonly store: RepositoryStore;
  readonly state: EmulatorState;
  readonly web: string;
  readonly api: string;
}

const routes = [...repositoryRoutes, ...commitRoutes, ...compareRoutes, ...pullRequestRoutes];

/** Answers one request and records it. */
export async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  shared: Shared,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const path = decodeURIComponent(url.pathname);
  const method = req.method ?? 'GET';
  const isGraphql = path === '/graphql';
  const text = await readBody(req);
  const request = { path, method, query: url.searchParams, isGraphql, text };
  const reply = await answer(req, request, shared);
  const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'x-github-media-type': 'github.v3; format=json',
  });
  res.end(body);
  shared.state.requests.push({
    method,
    path,
    status: reply.status,
    graphqlErrors: errorTypes(reply),
    ...(method === 'GET' || text === '' ? {} : { body: parsedOrText(text) }),
  });
}

async function answer(
  req: IncomingMessage,
  request: {
    path: string;
    method: string;
    query: URLSearchParams;
    isGraphql: boolean;
    text: string;
  },
  shared: Shared,
): Promise<Reply> {
  const doc = request.isGraphql ? docs.graphql : docs.rest;
  const header = req.headers.authorization;
  if (!header) return requiresAuthentication(doc);
  const [, token = ''] = /^(?:token|bearer)\s+(.+)$/i.exec(header) ?? [];
  const user = shared.tokens.find((known) => known.token === token);
  if (!user) return badCredentials(doc);
  let body: unknown;
  const { text, ...rest } = request;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      return restError(400, 'Problems parsing JSON', doc);
    }
  }
  const urls = { api: shared.api, web: shared.web };
  const context: RequestContext = { ...rest, body, user, ...shared, urls };
  if (request.isGraphql) {
    return request.method === 'POST' ? graphql(context) : restError(404, 'Not Found', doc);
  }
  return dispatch(routes, context);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** A request body as the log keeps it: parsed JSON, or the text when it is not JSON. */
function parsedOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function errorTypes(reply: Reply): string[] {
  const errors = (reply.body as { errors?: unknown } | undefined)?.errors;
  if (!Array.isArray(errors)) return [];
  return errors.flatMap((error) => {
    const type = (error as { type?: unknown }).type;
    return typeof type === 'string' ? [type] : [];
  });
}
