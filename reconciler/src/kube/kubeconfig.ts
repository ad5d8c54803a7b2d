/**
 * How the reconciler reaches the API server: the server URL, TLS settings and credentials of a
 * kubeconfig's current context, or of the Pod's service account in the cluster.
 *
 * `@kubernetes/client-node`'s `KubeConfig` does this too, but importing it loads the whole
 * generated API client (about 85 MiB of resident memory, more than half of the reconciler's
 * budget). This loader reads the common cases itself: client certificates, bearer tokens and
 * token files, basic auth, and the in-cluster service account, whose token and files it reads
 * again at most once a minute, so rotated credentials are picked up. Credential plugins
 * (`exec`, `auth-provider`) and merged `KUBECONFIG` lists are handed to client-node, loaded only
 * then. A client-node `KubeConfig` satisfies {@link ClusterAccess} as it is.
 */
import { access, readFile } from 'node:fs/promises';
import type https from 'node:https';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { parse } from 'yaml';

/** What the transport needs of a kubeconfig (a client-node `KubeConfig` has it too). */
export interface ClusterAccess {
  /** The current context's cluster: its URL and proxy. */
  getCurrentCluster(): { readonly server: string; readonly proxyUrl?: string | undefined } | null;
  /** Sets the TLS options, `Authorization` header or `auth` of one request. */
  applyToHTTPSOptions(opts: https.RequestOptions): Promise<void>;
}

/** Where to look, as `kubectl` does. */
export interface LoadOptions {
  /** An explicit kubeconfig file (`--kubeconfig`). */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly home: string;
}

/** The in-cluster service account's files. */
export const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';

/** How long file contents (token, CA, certificate, key) are reused before they are read again. */
const rereadMs = 60_000;

/**
 * The access of `--kubeconfig`, else `$KUBECONFIG`, else `~/.kube/config`, else the in-cluster
 * service account.
 */
export async function loadClusterAccess(options: LoadOptions): Promise<ClusterAccess> {
  const listed = (options.env.KUBECONFIG ?? '').split(':').filter((path) => path !== '');
  if (options.file === undefined && listed.length > 1) return clientNodeAccess(undefined);
  const file = options.file ?? listed[0];
  if (file !== undefined) return fromFile(resolve(file));
  const home = join(options.home, '.kube', 'config');
  if (await exists(home)) return fromFile(home);
  const host = options.env.KUBERNETES_SERVICE_HOST;
  const port = options.env.KUBERNETES_SERVICE_PORT;
  if (host && port) return inCluster(host, port);
  throw new Error('no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run in a cluster');
}

/** The service account of the Pod the reconciler runs in. */
export function inCluster(host: string, port: string, dir = serviceAccountDir): ClusterAccess {
  const server = `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ca = cachedFile(join(dir, 'ca.crt'));
  const token = cachedFile(join(dir, 'token'));
  return {
    getCurrentCluster: () => ({ server }),
    applyToHTTPSOptions: async (opts) => {
      opts.ca = await ca();
      setBearer(opts, (await token()).toString('utf8').trim());
    },
  };
}

async function fromFile(path: string): Promise<ClusterAccess> {
  const text = await readFile(path, 'utf8');
  const config = (parse(text) ?? {}) as Kubeconfig;
  const context = named(config.contexts, config['current-context'])?.context;
  const cluster = named(config.clusters, context?.cluster)?.cluster;
  const user = named(config.users, context?.user)?.user ?? {};
  if (!cluster?.server)
    throw new Error(`${path}: the current context names no cluster with a server`);
  if (user.exec || user['auth-provider']) return clientNodeAccess(path);
  const base = dirname(path);
  const ca = fileOrData(
    base,
    cluster['certificate-authority'],
    cluster['certificate-authority-data'],
  );
  const cert = fileOrData(base, user['client-certificate'], user['client-certificate-data']);
  const key = fileOrData(base, user['client-key'], user['client-key-data']);
  const tokenFile = user.tokenFile ? cachedFile(inside(base, user.tokenFile)) : undefined;
  const proxyUrl = cluster['proxy-url'];
  return {
    getCurrentCluster: () => ({ server: cluster.server ?? '', ...(proxyUrl ? { proxyUrl } : {}) }),
    applyToHTTPSOptions: async (opts) => {
      if (cluster['insecure-skip-tls-verify']) opts.rejectUnauthorized = false;
      if (cluster['tls-server-name']) opts.servername = cluster['tls-server-name'];
      if (ca) opts.ca = await ca();
      if (cert) opts.cert = await cert();
      if (key) opts.key = await key();
      const token = user.token ?? (tokenFile ? (await tokenFile()).toString('utf8').trim() : '');
      if (token) setBearer(opts, token);
      else if (user.username) opts.auth = `${user.username}:${user.password ?? ''}`;
    },
  };
}

/** client-node's loader, for what this one does not read itself. */
async function clientNodeAccess(file: string | undefined): Promise<ClusterAccess> {
  const { KubeConfig } = await import('@kubernetes/client-node');
  const kc = new KubeConfig();
  if (file === undefined) kc.loadFromDefault();
  else kc.loadFromFile(file);
  return kc;
}

interface Kubeconfig {
  'current-context'?: string;
  contexts?: { name?: string; context?: { cluster?: string; user?: string } }[];
  clusters?: { name?: string; cluster?: ClusterEntry }[];
  users?: { name?: string; user?: UserEntry }[];
}

interface ClusterEntry {
  server?: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
}

interface UserEntry {
  'client-certificate'?: string;
  'client-certificate-data'?: string;
  'client-key'?: string;
  'client-key-data'?: string;
  token?: string;
  tokenFile?: string;
  username?: string;
  password?: string;
  exec?: unknown;
  'auth-provider'?: unknown;
}

function named<T extends { name?: string }>(list: T[] | undefined, name: string | undefined) {
  return name === undefined ? undefined : list?.find((entry) => entry.name === name);
}

/** Inline base64 data, else a file (relative to the kubeconfig) read at most once a minute. */
function fileOrData(base: string, file: string | undefined, data: string | undefined) {
  if (data) {
    const bytes = Buffer.from(data, 'base64');
    return async () => bytes;
  }
  return file ? cachedFile(inside(base, file)) : undefined;
}

function inside(base: string, file: string): string {
  return isAbsolute(file) ? file : join(base, file);
}

/** A file's contents, read again when the last read is older than {@link rereadMs}. */
function cachedFile(path: string): () => Promise<Buffer> {
  let read: { at: number; bytes: Promise<Buffer> } | undefined;
  return () => {
    if (!read || Date.now() - read.at > rereadMs) {
      const bytes = readFile(path);
      read = { at: Date.now(), bytes };
      bytes.catch(() => {
        read = undefined;
      });
    }
    return read.bytes;
  };
}

function setBearer(opts: https.RequestOptions, token: string): void {
  opts.headers = { ...(opts.headers as Record<string, string>), Authorization: `Bearer ${token}` };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}
