/**
 * The reconciler's HTTP server: `/healthz` (the process answers), `/readyz` (a readiness
 * callback), `/metrics` (the Prometheus registry) and `/hooks/github` (the push webhook). One
 * request handler, listening on one or more ports; each listener serves the routes it is given,
 * so the webhook can face the outside on its own port while probes and metrics stay inside.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { messageOf } from '@kustodian/shared/errors';
import type { Registry } from 'prom-client';
import type { Logger } from '../log.ts';
import { handleGithubHook, type WebhookOptions } from './webhook.ts';

/** The routes, by name. */
export const routes = {
  healthz: '/healthz',
  readyz: '/readyz',
  metrics: '/metrics',
  webhook: '/hooks/github',
} as const;
export type RouteName = keyof typeof routes;

/**
 * Limits on slow clients at the socket level: headers within 10 s, the whole request within
 * 20 s (the webhook applies its own, shorter body limit), checked every second.
 */
const socketLimits = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  connectionsCheckingInterval: 1_000,
} as const;

/** Every route name. */
export const allRoutes = Object.keys(routes) as RouteName[];

/** One listening socket and the routes it serves. */
export interface Listener {
  port: number;
  /** Default `0.0.0.0`. */
  host?: string;
  /** Default: every route. */
  routes?: readonly RouteName[];
}

/** Options of {@link startServer}. */
export interface ServerOptions {
  listeners: readonly Listener[];
  /** Whether the reconciler is ready to work (caches synced, leader or standby). */
  ready: () => boolean | Promise<boolean>;
  registry: Registry;
  /** The push webhook; when absent, `/hooks/github` answers 404. */
  webhook?: WebhookOptions;
  logger: Logger;
}

/** Where one listener ended up. */
export interface BoundListener {
  port: number;
  host: string;
  /** `http://host:port`. */
  url: string;
  routes: readonly RouteName[];
}

/** A running server. */
export interface RunningServer {
  listeners: readonly BoundListener[];
  /** Stops accepting connections and closes idle and open ones. */
  close(): Promise<void>;
}

/** Starts listening on every listener; rejects when a port cannot be bound. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const servers: Server[] = [];
  const bound: BoundListener[] = [];
  try {
    for (const listener of options.listeners) {
      const served = listener.routes ?? allRoutes;
      const server = createServer(socketLimits, (req, res) => {
        handle(req, res, served, options).catch((thrown: unknown) => {
          options.logger.error('request failed', { path: req.url, error: messageOf(thrown) });
          if (!res.headersSent) reply(res, 500, 'internal error\n');
          else res.destroy();
        });
      });
      const host = listener.host ?? '0.0.0.0';
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listener.port, host, () => resolve());
      });
      servers.push(server);
      const port = (server.address() as AddressInfo).port;
      bound.push({ port, host, url: `http://${urlHost(host)}:${port}`, routes: served });
    }
  } catch (thrown) {
    await Promise.all(servers.map(closeServer));
    throw new Error(`cannot listen: ${messageOf(thrown)}`, { cause: thrown });
  }
  return { listeners: bound, close: () => Promise.all(servers.map(closeServer)).then(() => {}) };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  served: readonly RouteName[],
  options: ServerOptions,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://server').pathname;
  const route = served.find((name) => routes[name] === path);
  if (route === undefined || (route === 'webhook' && !options.webhook)) {
    return reply(res, 404, 'not found\n');
  }
  if (route === 'webhook' && options.webhook) {
    return handleGithubHook(req, res, options.webhook, options.logger);
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return reply(res, 405, 'method not allowed\n');
  }
  switch (route) {
    case 'healthz':
      return reply(res, 200, 'ok\n');
    case 'readyz':
      return (await options.ready()) ? reply(res, 200, 'ready\n') : reply(res, 503, 'not ready\n');
    case 'metrics': {
      const text = await options.registry.metrics();
      res.setHeader('Content-Type', options.registry.contentType);
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
  }
}

function reply(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(text);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
