/**
 * The pipeline's engine port over the API server: staged server-side apply, prune and health,
 * each through the client of the Application's service account when it names one.
 */
import { applyAll } from '../apply/apply.ts';
import type { ApplyEntry } from '../apply/outcomes.ts';
import { managedBySelector, type Owner } from '../apply/ownership.ts';
import type { AppContext, EnginePort, HealthReport } from '../controller/ports.ts';
import type { HealthSummary } from '../health/assess.ts';
import { waitFor } from '../health/wait.ts';
import { entryOf, inventoryOf, refOfEntry } from '../inventory/inventory.ts';
import type { KubeClient } from '../kube/client.ts';
import type { Clock } from '../kube/clock.ts';
import type { KubeObject, KubeRef } from '../kube/object.ts';
import { prune } from '../prune/prune.ts';

/** What the engine needs. */
export interface EngineOptions {
  readonly kube: KubeClient;
  readonly clock: Clock;
  /** Poll interval of health waits; default 2 s. */
  readonly healthIntervalMs?: number;
}

const ownerOf = (ctx: AppContext): Owner => ({ namespace: ctx.namespace, name: ctx.name });

/** Creates the engine port. */
export function createEngine(options: EngineOptions): EnginePort {
  const clientFor = (ctx: AppContext): KubeClient =>
    ctx.spec.serviceAccountName
      ? options.kube.impersonating({ namespace: ctx.namespace, name: ctx.spec.serviceAccountName })
      : options.kube;

  return {
    apply: async (objects, ctx, signal, onWritten) => {
      const result = await applyAll(
        objects.map((o) => o.object as KubeObject),
        {
          kube: clientFor(ctx),
          owner: ownerOf(ctx),
          defaultNamespace: ctx.spec.destination.namespace ?? ctx.namespace,
          force: ctx.spec.force,
          timeoutMs: ctx.spec.timeout,
          clock: options.clock,
          signal,
          ...(onWritten ? { onWritten: (object: KubeObject) => onWritten(entryOf(object)) } : {}),
        },
      );
      const count = (outcome: string) => result.entries.filter((e) => e.outcome === outcome).length;
      // Only the objects that failed; the ones skipped because of them are a count.
      const failures = result.entries
        .filter((e) => e.outcome === 'failed')
        .map((e) => `${e.id}: ${e.error ?? 'failed'}`);
      const blocked = result.ok || failures.length > 0 ? undefined : blockedReason(result.entries);
      return {
        created: count('created'),
        configured: count('configured'),
        unchanged: count('unchanged'),
        failures,
        skipped: count('skipped'),
        ...(blocked === undefined ? {} : { blocked }),
        inventory: inventoryOf(result.objects),
        observed: result.observed,
      };
    },
    prune: async (stale, ctx, signal) => {
      const results = await prune(stale, { owner: ownerOf(ctx), kube: clientFor(ctx), signal });
      return {
        deleted: results.filter((r) => r.outcome === 'deleted').map((r) => r.entry),
        skipped: results.filter((r) => r.outcome === 'skipped').map((r) => r.entry),
        failed: results
          .filter((r) => r.outcome === 'failed')
          .map((r) => ({ entry: r.entry, message: r.message ?? 'delete failed' })),
      };
    },
    health: async (entries, ctx, wait, signal, observed) => {
      const refs = entries.map(refOfEntry).filter((ref): ref is KubeRef => ref !== undefined);
      const result = await waitFor(refs, {
        kube: clientFor(ctx),
        ...(observed ? { known: observed } : {}),
        labelSelector: managedBySelector,
        timeoutMs: wait ? ctx.spec.timeout : 0,
        intervalMs: options.healthIntervalMs ?? 2000,
        signal,
        clock: options.clock,
      });
      if (result.outcome === 'Aborted') {
        return {
          status: 'Progressing',
          message: 'the health wait was cancelled by a newer revision or spec',
          counts: {},
        };
      }
      return healthReport(result.summary);
    },
  };
}

/** Why objects were skipped when none failed: the first reason given, without its prefix. */
function blockedReason(entries: readonly ApplyEntry[]): string {
  const why = entries.find((e) => e.outcome === 'skipped' && e.error)?.error;
  return why?.replace(/^not applied: /, '') ?? 'nothing was applied';
}

/** The kstatus summary as the Application's health: Current is Healthy, Failed is Degraded. */
export function healthReport(summary: HealthSummary): HealthReport {
  const status =
    summary.status === 'Current'
      ? 'Healthy'
      : summary.status === 'Failed'
        ? 'Degraded'
        : 'Progressing';
  const message =
    summary.status === 'Current' ? `all ${total(summary)} objects are healthy` : summary.message;
  return { status, message, counts: { ...summary.counts } };
}

function total(summary: HealthSummary): number {
  return Object.values(summary.counts).reduce((a, b) => a + b, 0);
}
