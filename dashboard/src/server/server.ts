/**
 * Builds and starts kustodian-server from its settings: the provider (discovered), the
 * session store, the server's own Kubernetes clients and the built client bundle.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { Applications } from '@kustodian/query/applications';
import { applicationsApi } from '@kustodian/query/kube';
import { applicationChanges } from '@kustodian/query/watch';
import { type Assets, createHandler } from './app.ts';
import { discoverOidc, type OidcSettings } from './auth/oidc.ts';
import { SessionStore } from './auth/sessions.ts';
import type { ServerConfig } from './config.ts';
import { UserKubes } from './kube/users.ts';
import type { Logger } from './log.ts';

/** A running server. */
export interface RunningServer {
  readonly url: string;
  readonly server: Server;
  readonly sessions: SessionStore;
  stop(): Promise<void>;
}

/** Reads the bundle built by `dashboard/build.ts`. */
export async function loadAssets(): Promise<Assets> {
  const dist = new URL('../../dist/', import.meta.url);
  try {
    return {
      js: await readFile(new URL('app.js', dist), 'utf8'),
      css: await readFile(new URL('app.css', dist), 'utf8'),
    };
  } catch (error) {
    throw new Error(
      `read the dashboard's client bundle in ${dist.pathname}: ${(error as Error).message}: build it with \`npm run build -w @kustodian/dashboard\``,
    );
  }
}

/** Starts the server; `fetch` replaces the provider boundary's (tests). */
export async function startServer(
  config: ServerConfig,
  kc: KubeConfig,
  log: Logger,
  fetch?: OidcSettings['fetch'],
): Promise<RunningServer> {
  const oidc = await discoverOidc({
    issuer: config.issuer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    redirectUrl: config.redirectUrl,
    scopes: config.scopes,
    signingAlgorithm: config.signingAlgorithm,
    ...(fetch ? { fetch } : {}),
  });
  const sessions = new SessionStore(config.sessionTtlMs);
  const core = kc.makeApiClient(CoreV1Api);
  const origin = new URL(config.redirectUrl).origin;
  const handler = createHandler({
    oidc,
    sessions,
    users: new UserKubes(kc),
    mapping: config,
    cookieSecure: config.cookieSecure,
    origin,
    log,
    listNamespaces: async () =>
      (await core.listNamespace()).items
        .map((n) => n.metadata?.name ?? '')
        .filter(Boolean)
        .sort(),
    serverApps: new Applications(applicationsApi(kc), applicationChanges(kc)),
    assets: await loadAssets(),
    issuerOrigin: new URL(config.issuer).origin,
  });
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listenPort, config.listenHost, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.listenPort;
  return {
    url: `http://${config.listenHost.includes(':') ? `[${config.listenHost}]` : config.listenHost}:${port}`,
    server,
    sessions,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
