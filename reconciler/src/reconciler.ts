/**
 * The reconciler, assembled: one API client, the source store, the engine, the controller, drift
 * watchers, the HTTP server and, when asked, leader election. `main.ts` parses flags and calls
 * {@link startReconciler}; tests call it directly against the local environment.
 */

import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { messageOf } from '@kustodian/shared/errors';
import { createExecaRunner } from '@kustodian/shared/exec';
import type { KustomizeCommand } from '@kustodian/shared/kustomize/locate';
import type { RemoteAllowance } from '@kustodian/shared/kustomize/remote-allowance';
import { createRenderCache } from '@kustodian/shared/render/cache';
import { defaultRenderLimits, render } from '@kustodian/shared/render/render';
import { createGitHome, createGitRunner } from '@kustodian/shared/source/git';
import { createSourceStore } from '@kustodian/shared/source/store';
import type { YieldTable } from './apply/yielded.ts';
import { type Controller, startController } from './controller/controller.ts';
import { createKube, type KubeClient } from './kube/client.ts';
import { type Clock, systemClock } from './kube/clock.ts';
import { createTransport } from './kube/http.ts';
import type { ClusterAccess } from './kube/kubeconfig.ts';
import { createElector } from './leader/elector.ts';
import { createLeaseClient, leaderLeaseName } from './leader/kube-lease.ts';
import { createLogger, createRedactor, type Logger, type LogLevel } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { type RunningServer, startServer } from './server/server.ts';
import { createEventRecorder } from './status/events.ts';
import { startDriftWatching } from './wiring/drift.ts';
import { createEngine, type DefaultServiceAccount, sharedApplier } from './wiring/engine.ts';
import { createPushHandler } from './wiring/push.ts';
import { createSource } from './wiring/source.ts';
import { timedPorts } from './wiring/timed.ts';

/** Everything the reconciler is configured with. */
export interface ReconcilerConfig {
  /** The API server and credentials (`loadClusterAccess`, or a client-node `KubeConfig`). */
  readonly kubeconfig: ClusterAccess;
  readonly kustomize: KustomizeCommand;
  /** Checkouts and git's private home; emptied at start. */
  readonly workDir: string;
  /** Watch Applications in this namespace only; all namespaces when absent. */
  readonly namespace?: string;
  readonly concurrency: number;
  readonly qps: number;
  readonly burst: number;
  readonly metricsPort: number;
  readonly webhookPort?: number;
  readonly webhookSecret?: string;
  /** Who applies for Applications without `serviceAccountName` (`--default-service-account`). */
  readonly defaultServiceAccount?: DefaultServiceAccount;
  readonly leaderElection?: { readonly namespace: string; readonly identity: string };
  readonly logLevel: LogLevel;
  /** Allow `http://` git URLs (no TLS); off by default. */
  readonly allowHttp: boolean;
  /** The largest checkout accepted, in bytes. */
  readonly maxCheckoutBytes: number;
  /**
   * The network variables (CA, proxies; `network-env.ts`) kustomize and its git get when an
   * Application's `spec.allowRemote` lets it fetch remotes; none when absent.
   */
  readonly networkEnv?: Readonly<Record<string, string>>;
  /** Fields left to other controllers by design; default the well-known ones (`yielded.ts`). */
  readonly yields?: YieldTable;
  readonly clock?: Clock;
  readonly log?: Logger;
}

/** A running reconciler. */
export interface Reconciler {
  readonly metrics: Metrics;
  readonly kube: KubeClient;
  readonly server: RunningServer;
  /** The controller while this instance leads (always, without leader election). */
  controller(): Controller | undefined;
  stop(): Promise<void>;
}

/** Starts the reconciler. */
export async function startReconciler(config: ReconcilerConfig): Promise<Reconciler> {
  const clock = config.clock ?? systemClock;
  const redactor = createRedactor();
  const log = config.log ?? createLogger({ level: config.logLevel, redactor });
  const metrics = createMetrics();
  const kube = createKube(config.kubeconfig, {
    rateLimit: { qps: config.qps, burst: config.burst },
    clock,
    onRequest: (verb) => metrics.kubeRequests.inc({ verb }),
  });
  await mkdir(config.workDir, { recursive: true, mode: 0o700 });
  const runCommand = createExecaRunner();
  const git = createGitRunner({
    runCommand,
    homeDir: await createGitHome(config.workDir),
    policy: { allowHttp: config.allowHttp },
  });
  // Builds that fetch remotes get a private directory under it each (`fetch-scratch.ts`).
  const fetchDir = join(config.workDir, 'fetch');
  await mkdir(fetchDir, { recursive: true, mode: 0o700 });
  const sourceDeps = { git, scratchDir: join(config.workDir, 'scratch'), log };
  const store = await createSourceStore({
    ...sourceDeps,
    workDir: join(config.workDir, 'checkouts'),
    maxBytes: config.maxCheckoutBytes,
  });
  const source = createSource({
    kube,
    store,
    deps: sourceDeps,
    metrics,
    addSecret: (value) => redactor.addSecret(value),
  });
  const engine = createEngine({
    kube,
    clock,
    ...(config.defaultServiceAccount
      ? { defaultServiceAccount: config.defaultServiceAccount }
      : {}),
    ...(config.yields ? { yields: config.yields } : {}),
    // The drift watches see every change of what they watch: unchanged objects need no request.
    live: (key) => drift.view(key),
    // Health waits follow the objects through the same watches instead of polling them.
    changes: { follow: (refs, listener) => drift.follow(refs, listener) },
  });
  const renderCache = createRenderCache();
  const renderer = {
    render: async (
      dir: string,
      ctx: { spec: { source: { path: string }; allowRemote: RemoteAllowance } },
      signal: AbortSignal,
    ) =>
      (
        await render(dir, ctx.spec.source.path, ctx.spec.allowRemote, {
          ...defaultRenderLimits,
          kustomize: config.kustomize,
          runCommand,
          signal,
          ...(config.networkEnv === undefined ? {} : { networkEnv: config.networkEnv }),
          scratchDir: fetchDir,
          cache: renderCache,
        })
      ).objects,
  };
  const events = createEventRecorder({
    kube,
    redact: (text) => redactor.redact(text),
    now: () => new Date(clock.now()),
    instance: config.leaderElection?.identity ?? 'kustodian',
    onError: (error) => log.warn('event not recorded', { error: messageOf(error) }),
  });

  let controller: Controller | undefined;
  const drift = startDriftWatching({
    // Drift watches read what Applications apply, with the rights of the account that applies.
    kube: sharedApplier(kube, config.defaultServiceAccount) ?? kube,
    log,
    metrics,
    refresh: (key, why) => controller?.refresh(key, why),
  });
  const lead = async (signal?: AbortSignal) => {
    metrics.leader.set(1);
    controller = startController({
      kube,
      deps: timedPorts({ source, render: renderer, engine }, metrics),
      events,
      metrics,
      log,
      clock,
      concurrency: config.concurrency,
      ...(config.namespace ? { namespace: config.namespace } : {}),
      onReconciled: (key, app, ifNotPresent, conflicts) =>
        drift.track(key, app, ifNotPresent, conflicts),
      onDeleted: (key) => {
        void drift.forget(key);
        void source.forget(key);
        engine.forget(key);
      },
      redact: (text) => redactor.redact(text),
    });
    log.info('reconciling', { namespace: config.namespace ?? '(all)' });
    if (signal) {
      await new Promise<void>((resolve) =>
        signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      await stopController();
    }
  };
  const stopController = async () => {
    const running = controller;
    controller = undefined;
    metrics.leader.set(0);
    await running?.stop();
    await drift.stopAll();
  };

  const server = await startServer({
    listeners: [
      { port: config.metricsPort, routes: ['healthz', 'readyz', 'metrics'] },
      ...(config.webhookPort === undefined
        ? []
        : [{ port: config.webhookPort, routes: ['webhook'] as const }]),
    ],
    // A standby is ready too: it serves the webhook (passing pushes on to the leader) and must
    // not hold up a rollout.
    ready: () => (config.leaderElection ? true : (controller?.synced() ?? false)),
    registry: metrics.registry,
    ...(config.webhookSecret
      ? {
          webhook: {
            secret: config.webhookSecret,
            onPush: createPushHandler({
              controller: () => controller,
              kube,
              ...(config.namespace ? { namespace: config.namespace } : {}),
              now: () => new Date(clock.now()),
            }),
          },
        }
      : {}),
    logger: log,
  });

  const shutdown = new AbortController();
  let electing: Promise<void> | undefined;
  if (config.leaderElection) {
    const transport = createTransport(config.kubeconfig);
    const elector = createElector({
      client: createLeaseClient(transport, {
        namespace: config.leaderElection.namespace,
        name: leaderLeaseName,
      }),
      identity: config.leaderElection.identity,
      clock,
      logger: log,
    });
    electing = (async () => {
      while (!shutdown.signal.aborted) {
        await elector.run(
          {
            onStartedLeading: (signal) => lead(signal),
            onStoppedLeading: () => void stopController(),
          },
          shutdown.signal,
        );
      }
    })();
  } else {
    await lead();
  }

  return {
    metrics,
    kube,
    server,
    controller: () => controller,
    stop: async () => {
      shutdown.abort(new Error('the reconciler is stopping'));
      await electing;
      await stopController();
      await server.close();
    },
  };
}
