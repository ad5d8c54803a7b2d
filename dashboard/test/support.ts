/**
 * The dashboard as tests run it: kustodian-server started in this process with its defaults,
 * as its own service account (with the deploy RBAC of `reconciler/deploy/dashboard`), against
 * the local environment's API server and OpenID provider (a client registered for it), and
 * signed in through the provider's own login page.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  RbacAuthorizationV1Api,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { TestEnv } from '../../test/env/for-tests.ts';
import { freePort } from '../../test/env/ports.ts';
import type { OidcSettings } from '../src/server/auth/oidc.ts';
import { parseConfig } from '../src/server/config.ts';
import { jsonLogger } from '../src/server/log.ts';
import { type RunningServer, startServer } from '../src/server/server.ts';

const run = promisify(execFile);
const deployDir = new URL('../../reconciler/deploy/dashboard/', import.meta.url).pathname;

/** A running dashboard and what the test needs to reach it. */
export interface TestDashboard extends RunningServer {
  /** `http://localhost:<port>` */
  readonly origin: string;
  readonly clientSecret: string;
  /** Every log line the server wrote. */
  readonly logs: string[];
}

/** Registers a client for `origin` at the test provider (dynamic client registration). */
export async function registerClient(env: TestEnv, origin: string) {
  const discovery = (await (
    await fetch(`${env.oidc.issuer}/.well-known/openid-configuration`)
  ).json()) as { registration_endpoint: string };
  const response = await fetch(discovery.registration_endpoint, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      redirect_uris: [`${origin}/auth/callback`],
      post_logout_redirect_uris: [`${origin}/signed-out`],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }),
  });
  if (!response.ok)
    throw new Error(`register a client: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as { client_id: string; client_secret: string };
}

/**
 * The server's own identity: the `kustodian-server` service account with the RBAC of
 * `reconciler/deploy/dashboard/rbac.yaml` (and the user roles), as a token kubeconfig.
 */
export async function serverKubeConfig(env: TestEnv): Promise<KubeConfig> {
  const core = env.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'kustodian-system' } } }).catch(() => {});
  await core
    .createNamespacedServiceAccount({
      namespace: 'kustodian-system',
      body: { metadata: { name: 'kustodian-server' } },
    })
    .catch(() => {});
  for (const file of ['rbac.yaml', 'user-roles.yaml'])
    await run('kubectl', [
      '--kubeconfig',
      env.kubeconfig,
      'apply',
      '--server-side',
      '--force-conflicts',
      '-f',
      join(deployDir, file),
    ]);
  const token = await core.createNamespacedServiceAccountToken({
    namespace: 'kustodian-system',
    name: 'kustodian-server',
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = env.kc.getCurrentCluster();
  if (!cluster) throw new Error('the test kubeconfig has no cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: 'kustodian-server', token: token.status?.token }],
    contexts: [{ name: 'server', cluster: cluster.name, user: 'kustodian-server' }],
    currentContext: 'server',
  });
  return kc;
}

/** Starts a dashboard with the default settings (plus `flags`). */
export async function startDashboard(
  env: TestEnv,
  options: { flags?: string[]; fetch?: OidcSettings['fetch'] } = {},
): Promise<TestDashboard> {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const client = await registerClient(env, origin);
  const dir = await mkdtemp(join(tmpdir(), 'kustodian-dashboard-'));
  const secretFile = join(dir, 'client-secret');
  await writeFile(secretFile, client.client_secret, { mode: 0o600 });
  const config = parseConfig(
    [
      `--issuer=${env.oidc.issuer}`,
      `--client-id=${client.client_id}`,
      `--client-secret-file=${secretFile}`,
      `--redirect-url=${origin}/auth/callback`,
      `--listen=127.0.0.1:${port}`,
      ...(options.flags ?? []),
    ],
    {},
  );
  const logs: string[] = [];
  const server = await startServer(
    config,
    await serverKubeConfig(env),
    jsonLogger((line) => logs.push(line)),
    options.fetch,
  );
  return { ...server, origin, clientSecret: client.client_secret, logs };
}

/** RBAC of the test users: alice operates everywhere, bob views `viewerNamespace` only. */
export async function bindTestUsers(
  env: TestEnv,
  viewerNamespace: string,
): Promise<() => Promise<void>> {
  const rbac = env.kc.makeApiClient(RbacAuthorizationV1Api);
  const name = `dashboard-admins-${randomBytes(3).toString('hex')}`;
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'kustodian-dashboard-operator',
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:platform-admins' },
      ],
    },
  });
  await rbac.createNamespacedRoleBinding({
    namespace: viewerNamespace,
    body: {
      metadata: { name: 'team-b-viewers' },
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'kustodian-dashboard-viewer',
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'oidc:viewers-team-b' },
      ],
    },
  });
  return async () => {
    await rbac.deleteClusterRoleBinding({ name }).catch(() => {});
  };
}

/** Creates an Application (no reconciler needed) and gives it a status. */
export async function createApp(
  env: TestEnv,
  namespace: string,
  name: string,
  status: { ready: 'True' | 'False' | 'Unknown'; message: string; commit?: string },
): Promise<void> {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  const ids = { group: 'kustodian.dev', version: 'v1alpha1', plural: 'applications', namespace };
  await api.createNamespacedCustomObject({
    ...ids,
    body: {
      apiVersion: 'kustodian.dev/v1alpha1',
      kind: 'Application',
      metadata: { name, namespace },
      spec: { source: { url: `https://git.example/${namespace}/config.git`, path: name } },
    },
  });
  await setStatus(env, namespace, name, status);
}

/** Replaces an Application's Ready condition (and applied revision). */
export async function setStatus(
  env: TestEnv,
  namespace: string,
  name: string,
  status: { ready: 'True' | 'False' | 'Unknown'; message: string; commit?: string },
): Promise<void> {
  const api = env.kc.makeApiClient(CustomObjectsApi);
  const commit = status.commit ?? 'a'.repeat(40);
  await api.patchNamespacedCustomObjectStatus(
    {
      group: 'kustodian.dev',
      version: 'v1alpha1',
      plural: 'applications',
      namespace,
      name,
      body: {
        status: {
          conditions: [
            {
              type: 'Ready',
              status: status.ready,
              reason: status.ready === 'True' ? 'Applied' : 'Failed',
              message: status.message,
              lastTransitionTime: new Date().toISOString(),
            },
          ],
          lastAppliedRevision: `main@sha1:${commit}`,
          health: { status: status.ready === 'True' ? 'Healthy' : 'Progressing' },
        },
      },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

/** A browser without a browser: cookies per host, redirects followed by hand. */
export class CookieFetch {
  readonly #jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).host;
    let jar = this.#jar.get(host);
    if (!jar) {
      jar = new Map();
      this.#jar.set(host, jar);
    }
    return jar;
  }

  /** One request, cookies sent and kept, no redirect followed. */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const jar = this.cookies(url);
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('Cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const key = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (attributes.some((a) => /max-age=0/i.test(a.trim())) || value === '') jar.delete(key);
      else jar.set(key, value);
    }
    return response;
  }

  /** Follows redirects from `url`; returns the last response and its URL. */
  async follow(url: string, init: RequestInit = {}): Promise<{ response: Response; url: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hops = 0; response.status >= 300 && response.status < 400 && hops < 20; hops++) {
      current = new URL(response.headers.get('location') ?? '/', current).href;
      response = await this.request(current);
    }
    return { response, url: current };
  }
}

/**
 * Signs in at the dashboard as `login` through the provider's login page. Stops before the
 * callback when `stopBeforeCallback`, returning the callback URL the provider sent.
 */
export async function signIn(
  dashboard: { origin: string },
  login: string,
  browser = new CookieFetch(),
): Promise<{ browser: CookieFetch; response: Response; url: string }> {
  const { response: page, url: pageUrl } = await browser.follow(`${dashboard.origin}/login`);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${pageUrl}: ${html.slice(0, 300)}`);
  const body = new URLSearchParams({ prompt: 'login', login, password: 'any' });
  const { response, url } = await browser.follow(new URL(action, pageUrl).href, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { browser, response, url };
}

/** Up to the provider's redirect back: the callback URL with code and state, not yet sent. */
export async function callbackUrl(
  dashboard: { origin: string },
  login: string,
  browser = new CookieFetch(),
): Promise<{ browser: CookieFetch; callback: string }> {
  const { response: page, url: pageUrl } = await browser.follow(`${dashboard.origin}/login`);
  const html = await page.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${pageUrl}`);
  let current = new URL(action, pageUrl).href;
  let response = await browser.request(current, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ prompt: 'login', login, password: 'any' }),
  });
  for (let hops = 0; hops < 20; hops++) {
    const next = new URL(response.headers.get('location') ?? '', current).href;
    if (next.startsWith(`${dashboard.origin}/auth/callback`)) return { browser, callback: next };
    current = next;
    response = await browser.request(current);
  }
  throw new Error('the provider never redirected back to the dashboard');
}

/** The page data (viewer with CSRF token, list view) of the list page. */
export async function pageData(browser: CookieFetch, url: string) {
  const response = await browser.request(url);
  const html = await response.text();
  const json = /<script type="application\/json" id="page-data">([^<]*)<\/script>/.exec(html)?.[1];
  if (!json)
    throw new Error(`no page data at ${url} (HTTP ${response.status}): ${html.slice(0, 300)}`);
  return {
    html,
    data: JSON.parse(json) as {
      viewer: { username: string; groups: string[]; csrfToken: string };
      data: {
        page: { items: { namespace: string; name: string }[]; total: number };
        resourceVersion: string;
        allowed: Record<string, { sync: boolean; suspend: boolean; resume: boolean }>;
      };
    },
  };
}

/** A kubeconfig file of the admin for child processes (kubectl). */
export async function tempFile(name: string, text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'kustodian-dashboard-')), name);
  await writeFile(file, text, { mode: 0o600 });
  return file;
}
