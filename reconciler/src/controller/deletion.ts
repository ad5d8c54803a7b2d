/**
 * The controller's part in deleting an Application: put the finalizer on before anything is
 * applied, and when deletion is asked for, deal with the objects as `finalize.ts` decides, say
 * what happened (status, Events, metrics), and only then take the finalizer off.
 */
import type { ApplicationSpec } from '@kustodian/shared/config/application';
import { messageOf } from '@kustodian/shared/errors';
import { type Application, keyOf } from '../api/application.ts';
import type { Kube } from '../kube/kube.ts';
import { refOf } from '../kube/object.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { EventRecorder } from '../status/events.ts';
import { announce } from './announce.ts';
import {
  addFinalizerPatch,
  decideDeletion,
  finalizeObjects,
  hasFinalizer,
  removeFinalizerPatch,
} from './finalize.ts';
import type { AppContext, EnginePort } from './ports.ts';
import { noChanges, type ReconcileResult } from './reconcile.ts';

/** What the deletion steps need from the controller. */
export interface DeletionDeps {
  readonly kube: Pick<Kube, 'get' | 'patch'>;
  readonly engine: Pick<EnginePort, 'prune'>;
  readonly events: EventRecorder;
  readonly metrics: Metrics;
  readonly contextOf: (app: Application, spec: ApplicationSpec) => AppContext;
  readonly writeStatus: (app: Application, result: ReconcileResult, log: Logger) => Promise<void>;
  /** Stops drift watching (and the rest) for an Application whose objects are being dealt with. */
  readonly onDeleted?: (key: string) => void;
}

/** When to handle the Application again. */
export interface NextRun {
  readonly ok: boolean;
  readonly afterMs: number;
}

/** The deletion steps, bound to the controller's boundaries. */
export interface DeletionSteps {
  /** Adds the finalizer and returns the stored Application; on failure logs it and returns `app`. */
  addFinalizer(app: Application, log: Logger): Promise<Application>;
  /** Deals with the objects of an Application being deleted, then lets it go. */
  finalize(
    app: Application,
    spec: ApplicationSpec | undefined,
    problem: string | undefined,
    log: Logger,
    signal: AbortSignal,
  ): Promise<NextRun>;
}

/** Binds the deletion steps to `deps`. */
export function deletionSteps(deps: DeletionDeps): DeletionSteps {
  const { kube, metrics, events } = deps;

  const addFinalizer = async (app: Application, log: Logger): Promise<Application> => {
    try {
      const stored = (await kube.patch(refOf(app), addFinalizerPatch(app))) as
        | Application
        | undefined;
      return stored ?? app;
    } catch (error) {
      log.warn('could not add the finalizer; deleting this Application would leave its objects', {
        error: messageOf(error),
      });
      return app;
    }
  };

  /** Whether a namespace is being deleted (or gone); a read that fails counts as no. */
  const isTerminating = async (name: string, log: Logger): Promise<boolean> => {
    try {
      const namespace = await kube.get({ apiVersion: 'v1', kind: 'Namespace', name });
      return namespace === undefined || typeof namespace.metadata.deletionTimestamp === 'string';
    } catch (error) {
      log.warn('could not read the namespace of the Application', { error: messageOf(error) });
      return false;
    }
  };

  const finalize: DeletionSteps['finalize'] = async (app, spec, problem, log, signal) => {
    // Its objects are going or staying as they are: drift must not bring them back.
    deps.onDeleted?.(keyOf(app));
    if (!hasFinalizer(app)) return { ok: true, afterMs: 0 };
    const decision = decideDeletion(spec, problem);
    const outcome = await finalizeObjects(app, decision, {
      prune: (entries) =>
        deps.engine.prune(entries, deps.contextOf(app, spec as ApplicationSpec), signal),
      // Only a decision to delete asks whether the namespace is going.
      namespaceTerminating:
        decision.kind === 'delete' &&
        (await isTerminating(app.metadata.namespace ?? 'default', log)),
    });
    if (outcome.kind === 'failed') {
      const deleted = new Set(outcome.report.deleted.map((entry) => entry.id));
      const skipped = new Set(outcome.report.skipped.map((entry) => entry.id));
      const result: ReconcileResult = {
        outcome: { kind: 'failed', reason: 'PruneFailed', message: outcome.message },
        inventory: (app.status?.inventory?.entries ?? []).filter(
          (entry) => !deleted.has(entry.id) && !skipped.has(entry.id),
        ),
        changes: { ...noChanges, deleted: deleted.size },
      };
      await deps.writeStatus(app, result, log);
      await announce(app, result, { events, metrics, log });
      return { ok: false, afterMs: spec?.retryInterval ?? 30_000 };
    }
    if (outcome.kind === 'deleted') {
      const count = outcome.report.deleted.length;
      if (count > 0) metrics.objectsPruned.inc(count);
      log.info('deleted the objects of the deleted Application', { deleted: count });
      const withNamespace =
        outcome.withNamespace > 0 ? `, ${outcome.withNamespace} going with its namespace` : '';
      await events.record(
        app,
        'Normal',
        'ObjectsDeleted',
        `the Application is being deleted: ${count} object(s) deleted, ${outcome.report.skipped.length} left alone${withNamespace}`,
      );
    } else {
      log.info('left the objects of the deleted Application in place', { why: outcome.why });
      await events.record(
        app,
        'Normal',
        'ObjectsOrphaned',
        `the Application is being deleted: ${outcome.left} object(s) left in place because ${outcome.why}`,
      );
    }
    try {
      await kube.patch(refOf(app), removeFinalizerPatch(app));
      return { ok: true, afterMs: 0 };
    } catch (error) {
      // Most often its finalizers changed since it was read: the watch brings the new ones.
      log.warn('could not remove the finalizer; trying again', { error: messageOf(error) });
      return { ok: false, afterMs: 1000 };
    }
  };

  return { addFinalizer, finalize };
}
