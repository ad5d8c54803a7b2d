/**
 * What the reconciler's end-to-end tests share: a private git server with repositories made by
 * real commits, the Application CRD installed on the real API server, an in-process reconciler
 * watching one namespace, and waits on Application status.
 */

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { kustomizeCommandFor } from '@kustodian/shared/kustomize/locate';
import { parse } from 'yaml';
import type { TestEnv } from '../../../test/env/for-tests.ts';
import { type GitServer, startGitServer } from '../../../test/env/git-server.ts';
import { createAuthority, readPem } from '../../../test/env/pki.ts';
import { waitFor } from '../../../test/env/wait.ts';
import type { Application } from '../../src/api/application.ts';
import type { YieldTable } from '../../src/apply/yielded.ts';
import { createKube, type KubeClient } from '../../src/kube/client.ts';
import type { KubeObject } from '../../src/kube/object.ts';
import { createLogger, type LogLevel, type MemorySink, memorySink } from '../../src/log.ts';
import { type Reconciler, startReconciler } from '../../src/reconciler.ts';
import type { DefaultServiceAccount } from '../../src/wiring/engine.ts';

const run = promisify(execFile);
const crdFile = resolve(import.meta.dirname, '../../deploy/crd.yaml');

/** A git server of the test's own, with its credentials. */
export interface TestGit {
  readonly server: GitServer;
  /** The CA that signed the server's certificate, when it serves HTTPS. */
  readonly caFile?: string;
  readonly username: string;
  readonly password: string;
  /** A working repository pushed to `<server>/<name>.git`. */
  repo(name: string): Promise<WorkRepo>;
  stop(): Promise<void>;
}

/** A working clone that commits and pushes. */
export interface WorkRepo {
  readonly url: string;
  /**
   * Writes (or, with `null`, deletes) files, commits with `message` and pushes; returns the
   * commit. `dates` sets its author and committer times (git's formats), else both are now.
   */
  commit(
    files: Record<string, string | Uint8Array | null>,
    message?: string,
    dates?: { readonly author?: string; readonly committer?: string },
  ): Promise<string>;
}

/**
 * Starts a git server on a fresh root: plain HTTP, or with `https` over TLS with a CA of its
 * own (`caFile`); with `anonymousRead`, fetches need no credentials (public repositories).
 */
export async function startTestGit(
  options: { readonly https?: boolean; readonly anonymousRead?: boolean } = {},
): Promise<TestGit> {
  const root = await mkdtemp(join(tmpdir(), 'kustodian-e2e-git-'));
  const username = 'reconciler';
  const password = `pw-${Math.random().toString(36).slice(2)}-secret`;
  let caFile: string | undefined;
  let tls: { cert: string; key: string } | undefined;
  if (options.https) {
    await mkdir(join(root, 'pki'));
    const ca = await createAuthority(join(root, 'pki'), 'ca');
    const leaf = await ca.issueServer('git', { dns: ['localhost'], ips: ['127.0.0.1'] });
    caFile = ca.cert;
    tls = { cert: await readPem(leaf.cert), key: await readPem(leaf.key) };
  }
  const server = await startGitServer({
    root: join(root, 'repos'),
    username,
    password,
    ...(tls ? { tls } : {}),
    ...(options.anonymousRead ? { anonymousRead: true } : {}),
  });
  const git = (args: string[], cwd: string, extra: Record<string, string> = {}) =>
    run('git', args, {
      cwd,
      env: {
        ...extra,
        PATH: process.env.PATH,
        HOME: root,
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_TERMINAL_PROMPT: '0',
        GIT_AUTHOR_NAME: 'Test',
        GIT_AUTHOR_EMAIL: 'test@example.invalid',
        GIT_COMMITTER_NAME: 'Test',
        GIT_COMMITTER_EMAIL: 'test@example.invalid',
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`,
        ...(caFile ? { GIT_SSL_CAINFO: caFile } : {}),
      },
    });
  return {
    server,
    ...(caFile ? { caFile } : {}),
    username,
    password,
    repo: async (name) => {
      const dir = await mkdtemp(join(root, 'work-'));
      await git(['init', '--quiet', '--initial-branch=main'], dir);
      const url = `${server.url}/${name}.git`;
      return {
        url,
        commit: async (files, message = 'change', dates = {}) => {
          for (const [path, content] of Object.entries(files)) {
            const file = join(dir, path);
            if (content === null) await rm(file, { force: true });
            else {
              await mkdir(dirname(file), { recursive: true });
              await writeFile(file, content);
            }
          }
          await git(['add', '--all'], dir);
          await git(['commit', '--quiet', '--allow-empty', '-m', message], dir, {
            ...(dates.author ? { GIT_AUTHOR_DATE: dates.author } : {}),
            ...(dates.committer ? { GIT_COMMITTER_DATE: dates.committer } : {}),
          });
          await git(['push', '--quiet', url, 'HEAD:main'], dir);
          return (await git(['rev-parse', 'HEAD'], dir)).stdout.trim();
        },
      };
    },
    stop: async () => {
      await server.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Installs the Application CRD (idempotent) and waits until it is served. */
export async function installCrd(kube: KubeClient): Promise<void> {
  const crd = parse(await readFile(crdFile, 'utf8')) as KubeObject;
  await kube.apply(crd);
  await waitFor('the Application CRD to be established', async () => {
    const live = await kube.get({
      apiVersion: crd.apiVersion,
      kind: crd.kind,
      name: crd.metadata.name,
    });
    const conditions =
      (live?.status as { conditions?: { type: string; status: string }[] } | undefined)
        ?.conditions ?? [];
    return conditions.some((c) => c.type === 'Established' && c.status === 'True');
  });
}

/** An admin client of the test environment. */
export function adminKube(env: TestEnv): KubeClient {
  return createKube(env.kc);
}

/** A reconciler in this process watching `namespace`, with its log lines captured. */
export async function startTestReconciler(
  env: TestEnv,
  namespace: string,
  options: {
    leaderElection?: { namespace: string; identity: string };
    logLevel?: LogLevel;
    /** Who the reconciler is; default its own administrator (`env.reconcilerKubeconfig`). */
    kubeconfig?: KubeConfig;
    defaultServiceAccount?: DefaultServiceAccount;
    webhookSecret?: string;
    /** Fields left to other controllers; default the well-known ones. */
    yields?: YieldTable;
    /** The network variables kustomize gets for remote fetches (`GIT_SSL_CAINFO`); none by default. */
    networkEnv?: Record<string, string>;
  } = {},
): Promise<{ reconciler: Reconciler; logs: MemorySink; workDir: string; stop(): Promise<void> }> {
  const workDir = await mkdtemp(join(tmpdir(), 'kustodian-e2e-work-'));
  const logs = memorySink();
  let kubeconfig = options.kubeconfig;
  if (!kubeconfig) {
    kubeconfig = new KubeConfig();
    // Its own administrator, so that the audit log tells its writes apart from the tests'.
    kubeconfig.loadFromString(await readFile(env.reconcilerKubeconfig, 'utf8'));
  }
  const reconciler = await startReconciler({
    kubeconfig,
    kustomize: kustomizeCommandFor(env.kustomize),
    workDir,
    namespace,
    concurrency: 4,
    qps: 200,
    burst: 400,
    metricsPort: 0,
    logLevel: options.logLevel ?? 'debug',
    allowHttp: true,
    maxCheckoutBytes: 64 * 1024 * 1024,
    log: createLogger({ level: options.logLevel ?? 'debug', sink: logs }),
    ...(options.leaderElection ? { leaderElection: options.leaderElection } : {}),
    ...(options.defaultServiceAccount
      ? { defaultServiceAccount: options.defaultServiceAccount }
      : {}),
    ...(options.webhookSecret ? { webhookSecret: options.webhookSecret, webhookPort: 0 } : {}),
    ...(options.yields ? { yields: options.yields } : {}),
    ...(options.networkEnv ? { networkEnv: options.networkEnv } : {}),
  });
  return {
    reconciler,
    logs,
    workDir,
    stop: async () => {
      await reconciler.stop();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}

/** Creates the Secret with git credentials and an Application reading `url`. */
export async function createApplication(
  kube: KubeClient,
  namespace: string,
  name: string,
  spec: Record<string, unknown>,
  credentials?: { username: string; password: string },
): Promise<void> {
  if (credentials) {
    await kube.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `${name}-git`, namespace },
      stringData: credentials,
    });
  }
  await kube.apply({
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace },
    spec: {
      interval: '10s',
      retryInterval: '10s',
      timeout: '60s',
      ...spec,
      ...(credentials
        ? { source: { ...(spec.source as object), secretRef: { name: `${name}-git` } } }
        : {}),
    },
  });
}

/** Reads an Application. */
export async function readApplication(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<Application> {
  const app = await kube.get({
    apiVersion: 'kustodian.dev/v1alpha1',
    kind: 'Application',
    namespace,
    name,
  });
  assert.ok(app, `Application ${namespace}/${name} exists`);
  return app as Application;
}

/** The Ready condition of an Application. */
export function readyOf(
  app: Application,
): { status: string; reason: string; message: string } | undefined {
  return app.status?.conditions?.find((c) => c.type === 'Ready');
}

/** Waits until `check` holds for the Application, failing with its last status. */
export async function waitForApplication(
  kube: KubeClient,
  namespace: string,
  name: string,
  what: string,
  check: (app: Application) => boolean,
  timeoutMs = 90_000,
): Promise<Application> {
  let last: Application | undefined;
  try {
    await waitFor(
      what,
      async () => {
        last = await readApplication(kube, namespace, name);
        return check(last);
      },
      { timeoutMs, intervalMs: 200 },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last status: ${JSON.stringify(last?.status)}`);
  }
  return last as Application;
}

/** Waits until the Application is Ready. */
export function waitUntilReady(
  kube: KubeClient,
  namespace: string,
  name: string,
): Promise<Application> {
  return waitForApplication(kube, namespace, name, 'Ready', (a) => readyOf(a)?.status === 'True');
}

/** A ConfigMap manifest. */
export function configMap(name: string, data: Record<string, string>): string {
  return `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\ndata:\n${Object.entries(data)
    .map(([k, v]) => `  ${k}: "${v}"`)
    .join('\n')}\n`;
}

/** A Deployment manifest with `replicas` pods of `image`. */
export function deployment(name: string, image: string, replicas = 2): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: ${replicas}
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
    spec:
      containers:
        - name: ${name}
          image: ${image}
`;
}

/** How many reconciles the reconciler has finished so far. */
export async function reconciles(reconciler: Reconciler): Promise<number> {
  const metric = await reconciler.metrics.reconcileTotal.get();
  return metric.values.reduce((sum, value) => sum + value.value, 0);
}

/** Asks for a reconcile of `namespace/name` now and waits until one more has finished. */
export async function reconcileNow(
  reconciler: Reconciler,
  namespace: string,
  name: string,
): Promise<void> {
  const before = await reconciles(reconciler);
  const controller = reconciler.controller();
  assert.ok(controller, 'the reconciler is leading');
  controller.refresh(`${namespace}/${name}`, 'test');
  await waitFor('one more reconcile', async () => (await reconciles(reconciler)) > before, {
    timeoutMs: 60_000,
    intervalMs: 50,
  });
}
