/**
 * The controller: keeps a cache of every Application (list, then watch), queues one whenever
 * its spec changes, a refresh is requested, its interval comes round or its objects drift, and
 * runs the reconcile pipeline for it with bounded concurrency, writing status only when it
 * changed.
 */
import { messageOf } from '@kustodian/shared/errors';
import type { Application } from '../api/application.ts';
import {
  APPLICATION_API_VERSION,
  APPLICATION_KIND,
  generationOf,
  keyOf,
  requestedAtAnnotation,
  specOf,
} from '../api/application.ts';
import { createConflictTracker, type DriftConflict } from '../drift/conflicts.ts';
import type { Clock } from '../kube/clock.ts';
import { isGone } from '../kube/errors.ts';
import type { Kube } from '../kube/kube.ts';
import type { Logger } from '../log.ts';
import { type Metrics, timeStep } from '../metrics.ts';
import { findCondition } from '../status/conditions.ts';
import type { EventRecorder } from '../status/events.ts';
import { nextStatus, statusChanged } from '../status/next.ts';
import { redactResult } from '../status/redact.ts';
import { announce } from './announce.ts';
import { backoffDelay } from './backoff.ts';
import { deletionSteps } from './deletion.ts';
import { hasFinalizer, isDeleting } from './finalize.ts';
import type { AppContext, ApplicationLookup } from './ports.ts';
import { startQueue, type WorkQueue } from './queue.ts';
import { noChanges, type ReconcileDeps, type ReconcileResult, reconcile } from './reconcile.ts';

/** The pipeline's view of an Application with a parsed spec. */
function contextOf(app: Application, spec: ReturnType<typeof specOf>): AppContext {
  return {
    key: keyOf(app),
    namespace: app.metadata.namespace ?? 'default',
    name: app.metadata.name,
    spec,
    app,
  };
}

/** What the controller needs. */
export interface ControllerOptions {
  readonly kube: Kube;
  readonly deps: Omit<ReconcileDeps, 'applications' | 'now'>;
  readonly events: EventRecorder;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly clock: Clock;
  readonly concurrency: number;
  /** Watch only this namespace; all when absent. */
  readonly namespace?: string;
  /**
   * Called after each reconcile with the Application's inventory (for drift watching) and, when
   * it applied, the ids it applied `IfNotPresent`.
   */
  readonly onReconciled?: (
    key: string,
    app: Application,
    ifNotPresent?: readonly string[],
    conflicts?: readonly DriftConflict[],
  ) => void;
  /** Called when an Application is deleted (to stop watching its objects). */
  readonly onDeleted?: (key: string) => void;
  /** Scrubs known secrets and URL credentials from status messages; none when absent. */
  readonly redact?: (text: string) => string;
}

/** A running controller. */
export interface Controller {
  /** Queues an Application now, cancelling a health wait in progress for it. */
  refresh(key: string, why: string): void;
  /** Applications whose source URL matches, for the webhook receiver. */
  applications(): readonly Application[];
  /** True once the first list has been read. */
  synced(): boolean;
  stop(): Promise<void>;
}

/** Starts the controller; it runs until `stop()`. */
export function startController(options: ControllerOptions): Controller {
  const { kube, log, metrics, clock } = options;
  const cache = new Map<string, Application>();
  const inFlight = new Map<string, AbortController>();
  const failures = new Map<string, number>();
  const stopping = new AbortController();
  let isSynced = false;

  const lookup: ApplicationLookup = { get: (namespace, name) => cache.get(`${namespace}/${name}`) };
  const conflicts = options.deps.conflicts ?? createConflictTracker(clock);
  const deps: ReconcileDeps = {
    ...options.deps,
    conflicts,
    applications: lookup,
    now: () => new Date(clock.now()),
    // `Reconciling` while a new revision or spec is applied and waited for.
    onProgress: (ctx, result) =>
      writeStatus(cache.get(ctx.key) ?? ctx.app, result, log.child({ application: ctx.key })),
  };

  const handle = async (key: string, stopSignal: AbortSignal) => {
    const app = cache.get(key);
    if (!app) return;
    const controller = new AbortController();
    inFlight.set(key, controller);
    const signal = AbortSignal.any([controller.signal, stopSignal]);
    const started = clock.now();
    try {
      const next = await reconcileOne(app, signal);
      scheduleNext(key, next);
    } finally {
      inFlight.delete(key);
      metrics.reconcileDuration.observe((clock.now() - started) / 1000);
    }
  };

  const reconcileOne = async (
    app: Application,
    signal: AbortSignal,
  ): Promise<{ ok: boolean; afterMs: number }> => {
    const key = keyOf(app);
    const appLog = log.child({ application: key });
    let spec: ReturnType<typeof specOf> | undefined;
    let problem: string | undefined;
    try {
      spec = specOf(app);
    } catch (error) {
      problem = messageOf(error);
    }
    if (isDeleting(app)) return finalizeOne(app, spec, problem, appLog, signal);
    if (spec === undefined) {
      const result: ReconcileResult = {
        outcome: { kind: 'failed', reason: 'InvalidSpec', message: problem ?? 'invalid spec' },
        changes: noChanges,
      };
      await writeStatus(app, result, appLog);
      return { ok: false, afterMs: 5 * 60_000 };
    }
    // Before anything is applied, so that deleting the Application can always clean up.
    const held = hasFinalizer(app) ? app : await addFinalizer(app, appLog);
    const ctx = contextOf(held, spec);
    let result: ReconcileResult;
    try {
      result = await reconcile(ctx, deps, signal);
    } catch (error) {
      if (stopping.signal.aborted) return { ok: false, afterMs: 0 };
      if (signal.aborted)
        return superseded(
          held,
          { outcome: { kind: 'progressing', message: '' }, changes: noChanges },
          signal.reason,
          appLog,
        );
      appLog.error('reconcile failed', { error: messageOf(error) });
      result = {
        outcome: { kind: 'failed', reason: 'ApplyFailed', message: messageOf(error) },
        changes: noChanges,
      };
    }
    // Scrubbed once, so that status and the news `announce` compares it with say the same.
    result = redactResult(result, options.redact);
    const fresh = cache.get(key) ?? held;
    if (signal.aborted) return superseded(fresh, result, signal.reason, appLog);
    await writeStatus(fresh, result, appLog);
    await announce(fresh, result, { events: options.events, metrics, log: appLog });
    // Conflicts as the last apply left them: a reconcile that did not apply keeps the old ones.
    const conflicted = result.ifNotPresent === undefined ? undefined : (result.conflicts ?? []);
    options.onReconciled?.(key, cache.get(key) ?? fresh, result.ifNotPresent, conflicted);
    const ok = result.outcome.kind === 'succeeded' || result.outcome.kind === 'suspended';
    return { ok, afterMs: ok ? spec.interval : spec.retryInterval };
  };

  /**
   * A newer revision, spec or refresh cut this reconcile short, and the next one is queued: what
   * the cut made of it (a fetch or a health wait "failing") is no failure, so it is not reported
   * as one. Only an inventory it already changed is kept, so nothing it applied is forgotten.
   */
  const superseded = async (
    app: Application,
    result: ReconcileResult,
    reason: unknown,
    appLog: Logger,
  ): Promise<{ ok: boolean; afterMs: number }> => {
    appLog.debug('reconcile superseded', { why: messageOf(reason) });
    metrics.reconcileTotal.inc({ result: 'superseded', reason: 'Superseded' });
    if (result.inventory !== undefined) {
      const progressing: ReconcileResult = {
        outcome: { kind: 'progressing', message: messageOf(reason) },
        changes: result.changes,
        inventory: result.inventory,
        ...(result.lastAttemptedRevision === undefined
          ? {}
          : { lastAttemptedRevision: result.lastAttemptedRevision }),
      };
      await writeStatus(app, progressing, appLog);
      options.onReconciled?.(keyOf(app), cache.get(keyOf(app)) ?? app, result.ifNotPresent);
    }
    return { ok: true, afterMs: 0 };
  };

  const deletion = deletionSteps({
    kube,
    engine: deps.engine,
    events: options.events,
    metrics,
    contextOf,
    writeStatus: (app, result, appLog) => writeStatus(app, result, appLog),
    ...(options.onDeleted ? { onDeleted: options.onDeleted } : {}),
  });

  /** Adds the finalizer and keeps the stored Application (the watch event follows). */
  const addFinalizer = async (app: Application, appLog: Logger): Promise<Application> => {
    const stored = await deletion.addFinalizer(app, appLog);
    if (stored !== app) remember(stored);
    return stored;
  };
  const finalizeOne = deletion.finalize;

  /** Keeps a newer copy of an Application than the cache has (the watch event follows). */
  const remember = (app: Application) => {
    const current = cache.get(keyOf(app));
    if (current === undefined) return;
    const version = (a: Application) => Number(a.metadata.resourceVersion ?? 0);
    if (version(app) >= version(current)) cache.set(keyOf(app), app);
  };

  const writeStatus = async (app: Application, result: ReconcileResult, appLog: Logger) => {
    const status = nextStatus(app, redactResult(result, options.redact), new Date(clock.now()));
    if (!statusChanged(app, status)) return;
    try {
      const stored = await timeStep(metrics, 'status', () =>
        kube.apply(
          {
            apiVersion: APPLICATION_API_VERSION,
            kind: APPLICATION_KIND,
            metadata: { name: app.metadata.name, namespace: app.metadata.namespace },
            status,
          },
          { subresource: 'status' },
        ),
      );
      const current = cache.get(keyOf(app)) ?? app;
      cache.set(keyOf(app), {
        ...current,
        status: (stored.status ?? status) as NonNullable<Application['status']>,
      });
      if (findCondition(status.conditions ?? [], 'Ready')?.status === 'True') wakeDependents(app);
    } catch (error) {
      appLog.error('status write failed', { error: messageOf(error) });
    }
  };

  const scheduleNext = (key: string, next: { ok: boolean; afterMs: number }) => {
    if (next.ok) {
      failures.delete(key);
      queue.add(key, next.afterMs);
    } else {
      const count = (failures.get(key) ?? 0) + 1;
      failures.set(key, count);
      queue.add(key, backoffDelay(count, next.afterMs));
    }
  };

  const wakeDependents = (app: Application) => {
    for (const [key, other] of cache) {
      const deps =
        (other.spec as { dependsOn?: { name?: string; namespace?: string }[] } | undefined)
          ?.dependsOn ?? [];
      const otherNs = other.metadata.namespace ?? 'default';
      if (
        deps.some(
          (d) =>
            d.name === app.metadata.name &&
            (d.namespace ?? otherNs) === (app.metadata.namespace ?? 'default'),
        )
      ) {
        queue.add(key);
      }
    }
  };

  const queue: WorkQueue = startQueue({
    concurrency: options.concurrency,
    clock,
    handle,
    onDepth: (depth) => metrics.queueDepth.set(depth),
    onError: (key, error) =>
      log.error('worker failed', { application: key, error: messageOf(error) }),
  });

  const refresh = (key: string, why: string) => {
    if (!cache.has(key)) return;
    log.debug('refresh', { application: key, why });
    inFlight.get(key)?.abort(new Error(`superseded: ${why}`));
    queue.add(key);
  };

  const observe = (type: string, app: Application) => {
    const key = keyOf(app);
    const before = cache.get(key);
    if (type === 'DELETED') {
      cache.delete(key);
      queue.remove(key);
      failures.delete(key);
      conflicts.forget(key);
      options.onDeleted?.(key);
      return;
    }
    cache.set(key, app);
    const annotation = (a?: Application) =>
      (a?.metadata.annotations as Record<string, string> | undefined)?.[requestedAtAnnotation];
    if (!before) queue.add(key);
    else if (isDeleting(app) && !isDeleting(before)) refresh(key, 'deletion requested');
    else if (generationOf(before) !== generationOf(app)) refresh(key, 'spec changed');
    else if (annotation(before) !== annotation(app)) refresh(key, 'refresh requested');
  };

  const watchLoop = async () => {
    while (!stopping.signal.aborted) {
      try {
        const kind = {
          signal: stopping.signal,
          ...(options.namespace ? { namespace: options.namespace } : {}),
        };
        const list = await kube.list(APPLICATION_API_VERSION, APPLICATION_KIND, kind);
        const seen = new Set<string>();
        for (const item of list.items as Application[]) {
          seen.add(keyOf(item));
          observe('ADDED', item);
        }
        for (const key of [...cache.keys()])
          if (!seen.has(key)) observe('DELETED', cache.get(key)!);
        isSynced = true;
        for await (const event of kube.watch(APPLICATION_API_VERSION, APPLICATION_KIND, {
          ...kind,
          resourceVersion: list.resourceVersion,
          timeoutSeconds: 300,
        })) {
          if (event.type !== 'BOOKMARK') observe(event.type, event.object as Application);
        }
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (!isGone(error))
          log.warn('watching Applications failed; listing again', { error: messageOf(error) });
        await clock.sleep(1000, stopping.signal).catch(() => undefined);
      }
    }
  };
  const watching = watchLoop();

  return {
    refresh,
    applications: () => [...cache.values()],
    synced: () => isSynced,
    stop: async () => {
      stopping.abort(new Error('the controller is stopping'));
      await queue.stop();
      await watching;
    },
  };
}
