/**
 * The cluster side of the reconciler benchmarks: an administrator's client, the Application
 * CRD, Applications with their git credentials, waits on their status, and a wait for the
 * control plane to go quiet so that request counts belong to the run being measured.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { parse } from 'yaml';
import type { Application } from '../../reconciler/src/api/application.ts';
import { createKube, type KubeClient } from '../../reconciler/src/kube/client.ts';
import type { KubeObject } from '../../reconciler/src/kube/object.ts';
import { waitFor } from '../../test/env/wait.ts';
import { parseRequestTotals, writeVerbs } from './apiserver.ts';

const crdFile = resolve(import.meta.dirname, '../../reconciler/deploy/crd.yaml');
const applicationApi = { apiVersion: 'kustodian.dev/v1alpha1', kind: 'Application' } as const;

/** An administrator's client without a client-side rate limit of note. */
export async function adminClient(kubeconfigPath: string): Promise<KubeClient> {
  const kc = new KubeConfig();
  kc.loadFromString(await readFile(kubeconfigPath, 'utf8'));
  return createKube(kc, { rateLimit: { qps: 1000, burst: 2000 } });
}

/** Installs the Application CRD and waits until it is served. */
export async function installCrd(kube: KubeClient): Promise<void> {
  const crd = parse(await readFile(crdFile, 'utf8')) as KubeObject;
  await kube.apply(crd);
  await waitFor('the Application CRD', async () => {
    try {
      await kube.list(applicationApi.apiVersion, applicationApi.kind);
      return true;
    } catch {
      return false;
    }
  });
}

/** A namespace for Applications, with the Secret of the git server's credentials. */
export async function appNamespace(
  kube: KubeClient,
  name: string,
  git: { readonly username: string; readonly password: string },
): Promise<void> {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  await kube.apply({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'git', namespace: name },
    stringData: { username: git.username, password: git.password },
  });
}

/** An Application of a benchmark: where it lives and what it reads. */
export interface BenchApplication {
  readonly namespace: string;
  readonly name: string;
  readonly url: string;
  readonly path: string;
  /** Spec fields besides `source` (`wait`, `interval`, ...). */
  readonly spec?: Readonly<Record<string, unknown>>;
}

/**
 * Creates or updates `app`, reading with the `git` Secret. With `requestedAt`, the annotation
 * that asks for a reconcile now is set too (the whole object is applied each time, so the
 * server-side apply keeps the spec).
 */
export async function applyApplication(
  kube: KubeClient,
  app: BenchApplication,
  requestedAt?: string,
): Promise<void> {
  await kube.apply({
    ...applicationApi,
    metadata: {
      name: app.name,
      namespace: app.namespace,
      ...(requestedAt ? { annotations: { 'kustodian.dev/requested-at': requestedAt } } : {}),
    },
    spec: {
      source: { url: app.url, path: app.path, secretRef: { name: 'git' } },
      interval: '30m',
      ...app.spec,
    },
  });
}

/** Reads one Application. */
export async function readApplication(
  kube: KubeClient,
  app: { readonly namespace: string; readonly name: string },
): Promise<Application | undefined> {
  return (await kube.get({ ...applicationApi, ...app })) as Application | undefined;
}

/**
 * Milliseconds from creating `app` until it is Ready at `commit`, as a watch of the Application
 * sees it (started before the create, so no event is missed and none is waited for by polling).
 */
export async function timeToReady(
  kube: KubeClient,
  app: BenchApplication,
  commit: string,
  timeoutMs = 15 * 60_000,
): Promise<number> {
  return await timeUntil(
    kube,
    app,
    timeoutMs,
    () => applyApplication(kube, app),
    (live) => readyAt(live, commit),
  );
}

/**
 * Milliseconds from asking `app` to reconcile now (setting the `requested-at` annotation) until
 * its status says the request was handled, as a watch of the Application sees it: what a user
 * who asks for a resync waits for.
 */
export async function timeToHandled(
  kube: KubeClient,
  app: BenchApplication,
  timeoutMs = 15 * 60_000,
): Promise<number> {
  const marker = new Date().toISOString();
  return await timeUntil(
    kube,
    app,
    timeoutMs,
    () => applyApplication(kube, app, marker),
    (live) => live.status?.lastHandledRequestedAt === marker,
  );
}

/**
 * Milliseconds from `act` until a watch of `app`'s namespace shows `app` as `done` says. The
 * watch starts before `act`, from the list's resourceVersion.
 */
async function timeUntil(
  kube: KubeClient,
  app: BenchApplication,
  timeoutMs: number,
  act: () => Promise<void>,
  done: (live: Application) => boolean,
): Promise<number> {
  const { apiVersion, kind } = applicationApi;
  const list = await kube.list(apiVersion, kind, { namespace: app.namespace, limit: 1 });
  const stop = new AbortController();
  const timer = setTimeout(() => stop.abort(new Error(`${app.name}: no answer`)), timeoutMs);
  const events = kube
    .watch(apiVersion, kind, {
      namespace: app.namespace,
      resourceVersion: list.resourceVersion,
      signal: stop.signal,
    })
    [Symbol.asyncIterator]();
  let last: Application | undefined;
  try {
    let next = events.next();
    const started = performance.now();
    await act();
    for (;;) {
      const event = await next;
      if (event.done) throw new Error(`the watch of ${app.name} ended`);
      const live = event.value.object as Application;
      if (live.metadata.name === app.name) {
        last = live;
        if (done(live)) return performance.now() - started;
      }
      next = events.next();
    }
  } catch (error) {
    if (!stop.signal.aborted) throw error;
    throw new Error(`${app.name} not done in time: ${JSON.stringify(last?.status?.conditions)}`);
  } finally {
    clearTimeout(timer);
    stop.abort();
    await events.return?.();
  }
}

/** Whether an Application is Ready at `commit`. */
export function readyAt(app: Application, commit: string): boolean {
  const ready = app.status?.conditions?.find((c) => c.type === 'Ready');
  return ready?.status === 'True' && (app.status?.lastAppliedRevision ?? '').endsWith(commit);
}

/** Polls every Application of `namespace` until `names` are all Ready at `commit`. */
export async function waitAllReady(
  kube: KubeClient,
  namespace: string,
  names: readonly string[],
  commit: string,
  options: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const wanted = new Set(names);
  let last = '';
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    const list = await kube.list(applicationApi.apiVersion, applicationApi.kind, { namespace });
    const apps = (list.items as Application[]).filter((app) => wanted.has(app.metadata.name));
    const ready = apps.filter((app) => readyAt(app, commit));
    if (ready.length === wanted.size) return;
    const waiting = apps.find((app) => !readyAt(app, commit));
    last = `${ready.length}/${wanted.size} Ready; e.g. ${waiting?.metadata.name}: ${JSON.stringify(waiting?.status?.conditions ?? [])}`;
    await sleep(options.intervalMs);
  }
  throw new Error(`Applications not Ready within ${options.timeoutMs} ms: ${last}`);
}

/**
 * Waits until the API server has taken no write for `quietMs` (controllers finishing what the
 * last run started: ReplicaSets, EndpointSlices, the root CA ConfigMap of new namespaces).
 */
export async function waitForQuiet(kube: KubeClient, quietMs = 2000, timeoutMs = 120_000) {
  const ignored = new Set(['leases', 'events']);
  const total = async () =>
    parseRequestTotals(await kube.getRaw('/metrics'))
      .filter((s) => (writeVerbs as readonly string[]).includes(s.labels.verb ?? ''))
      .filter((s) => !ignored.has(s.labels.resource ?? ''))
      .reduce((sum, s) => sum + s.value, 0);
  const deadline = Date.now() + timeoutMs;
  let last = await total();
  let since = Date.now();
  while (Date.now() < deadline) {
    await sleep(250);
    const now = await total();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
  }
}
