/**
 * The one place that speaks HTTP to the API server. Authentication (client certificates, tokens,
 * exec plugins, in-cluster service account) comes from a {@link ClusterAccess} (`kubeconfig.ts`,
 * or `@kubernetes/client-node`'s `KubeConfig`); the requests themselves are plain JSON over
 * `node:https`, because client-node's typed object API drops fields it does not know (custom
 * resources with `x-kubernetes-preserve-unknown-fields` or `x-kubernetes-int-or-string` lose
 * data, kubernetes-client/javascript#2483 and #2962).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { keepAliveAgent } from './agents.ts';
import type { ClusterAccess } from './kubeconfig.ts';

/** One request. */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path below the server URL, such as `/api/v1/namespaces/web/configmaps/settings`. */
  path: string;
  query?: Record<string, string | undefined>;
  /** Serialized as JSON. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
}

/** A response read to its end. */
export interface HttpResponse {
  status: number;
  statusText: string;
  body: string;
}

/** Sends requests with a KubeConfig's credentials. */
export interface Transport {
  /** Sends a request and reads the whole response. */
  request(request: HttpRequest): Promise<HttpResponse>;
  /** Sends a GET and hands over the response stream (for watches), whatever its status. */
  stream(request: Omit<HttpRequest, 'method' | 'body' | 'contentType'>): Promise<IncomingMessage>;
}

/** Options of {@link createTransport}. */
export interface TransportOptions {
  /** Sent as `Impersonate-User`, so the server authorizes the request as that user. */
  impersonateUser?: string;
  /** Socket inactivity limit of ordinary (non-watch) requests; default 60 s. */
  timeoutMs?: number;
}

/** Creates the transport of a kubeconfig's current context. */
export function createTransport(kc: ClusterAccess, options: TransportOptions = {}): Transport {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const server = new URL(cluster.server);
  const timeoutMs = options.timeoutMs ?? 60_000;

  const send = async (request: HttpRequest, streaming: boolean): Promise<IncomingMessage> => {
    const url = new URL(server.toString());
    url.pathname = `${server.pathname.replace(/\/$/, '')}${request.path}`;
    for (const [key, value] of Object.entries(request.query ?? {})) {
      if (value !== undefined) url.searchParams.set(key, value);
    }
    const opts: https.RequestOptions = {
      method: request.method,
      headers: { Accept: 'application/json' },
    };
    await kc.applyToHTTPSOptions(opts);
    if (!cluster.proxyUrl && url.protocol === 'https:') opts.agent = keepAliveAgent(opts);
    const headers = { ...(opts.headers as Record<string, string>) };
    if (options.impersonateUser) headers['Impersonate-User'] = options.impersonateUser;
    let payload: string | undefined;
    if (request.body !== undefined) {
      payload = JSON.stringify(request.body);
      headers['Content-Type'] = request.contentType ?? 'application/json';
      headers['Content-Length'] = String(Buffer.byteLength(payload));
    }
    const client = url.protocol === 'http:' ? http : https;
    return await new Promise<IncomingMessage>((resolve, reject) => {
      const req = client.request(url, { ...opts, headers, signal: request.signal }, resolve);
      req.on('error', reject);
      if (!streaming) {
        req.setTimeout(timeoutMs, () => {
          req.destroy(new Error(`no answer from the API server within ${timeoutMs} ms`));
        });
      }
      req.end(payload);
    });
  };

  return {
    request: async (request) => {
      const response = await send(request, false);
      const chunks: Buffer[] = [];
      for await (const chunk of response) chunks.push(chunk as Buffer);
      return {
        status: response.statusCode ?? 0,
        statusText: response.statusMessage ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      };
    },
    stream: (request) => send({ ...request, method: 'GET' }, true),
  };
}

/** Reads what is left of a response stream as text (for error bodies of streams). */
export async function readAll(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
