/**
 * One reconcile of one Application: the pipeline, step by step.
 *
 *   suspend → dependencies → resolve revision → fetch → render → apply → prune → health
 *
 * Every failing step names its reason and returns; nothing after a failed fetch, render or
 * apply runs, so a broken commit or an unreachable git server never prunes anything. An apply
 * that fails or is cut short after it wrote still adds what it wrote to the inventory, so that
 * later prunes and the Application's deletion find it. The result says what status to write;
 * the caller writes it (and only when it changed), and the history gains a line only when the
 * cluster changed or the outcome differs from the last line.
 */
import { messageOf } from '@kustodian/shared/errors';
import { ManifestParseError } from '@kustodian/shared/manifests/parse';
import { SourceError } from '@kustodian/shared/source/failure';
import { generationOf, type InventoryEntry, type SyncRecord } from '../api/application.ts';
import { type ConflictTracker, conflictNote, type DriftConflict } from '../drift/conflicts.ts';
import { diffInventory, normalizeInventory, withEntries } from '../inventory/inventory.ts';
import type { FailureReason, Outcome } from '../status/conditions.ts';
import { applyFailureMessage } from './apply-failure.ts';
import { dependencyProblem } from './dependencies.ts';
import type {
  AppContext,
  ApplicationLookup,
  ApplyReport,
  EnginePort,
  HealthReport,
  PruneReport,
  RenderPort,
  SourcePort,
} from './ports.ts';
import { driftNote, leavesDrift } from './self-heal.ts';

/** What the pipeline needs. */
export interface ReconcileDeps {
  readonly source: SourcePort;
  readonly render: RenderPort;
  readonly engine: EnginePort;
  readonly applications: ApplicationLookup;
  readonly now: () => Date;
  /** Counts reverts, to stop fighting another controller over fields; none when absent. */
  readonly conflicts?: ConflictTracker;
  /** Shows that a new revision or spec is being applied (written as `Reconciling`). */
  readonly onProgress?: (ctx: AppContext, result: ReconcileResult) => Promise<void>;
}

/** Counts of what changed in the cluster. */
export interface ChangeCounts {
  created: number;
  configured: number;
  unchanged: number;
  deleted: number;
}

/** What one reconcile came to, and what status should now say. */
export interface ReconcileResult {
  readonly outcome: Outcome;
  readonly lastAttemptedRevision?: string;
  readonly lastAppliedRevision?: string;
  readonly trailers?: Readonly<Record<string, string>>;
  /** The committer time of the attempted revision's commit (see `SourceCheckout`). */
  readonly committedAt?: string;
  readonly inventory?: readonly InventoryEntry[];
  readonly health?: HealthReport;
  readonly changes: ChangeCounts;
  /** Set when this reconcile changed something or failed differently: a line for the history. */
  readonly sync?: SyncRecord;
  /** When this reconcile applied: the ids it applied `IfNotPresent` (see `ApplyReport`). */
  readonly ifNotPresent?: readonly string[];
  /** With selfHeal off: objects that differ from the revision and were left as they are. */
  readonly drifted?: readonly string[];
  /** Fields no longer set back because other managers keep setting them (see `conflicts.ts`). */
  readonly conflicts?: readonly DriftConflict[];
  /** Those of `conflicts` this reconcile found, to be announced once. */
  readonly newConflicts?: readonly DriftConflict[];
}

/** Counts of a reconcile that changed nothing. */
export const noChanges: Readonly<ChangeCounts> = {
  created: 0,
  configured: 0,
  unchanged: 0,
  deleted: 0,
};

/**
 * Runs the pipeline for `ctx`. Each step that fails, by a result or by throwing, returns its own
 * reason (a thrown prune is PruneFailed, a thrown health check HealthCheckFailed); it throws only
 * when a newer reconcile cut it short before it wrote anything.
 */
export async function reconcile(
  ctx: AppContext,
  deps: ReconcileDeps,
  signal: AbortSignal,
): Promise<ReconcileResult> {
  const startedAt = deps.now().toISOString();
  const previous = ctx.app.status?.inventory?.entries ?? [];
  const lastSync = ctx.app.status?.history?.[0];
  // A line for the history when this reconcile changed something, or came to another outcome
  // than the last line says: a failure retried as it was adds nothing.
  const syncOf = (revision: string, changed: boolean, reason?: FailureReason) => {
    const line = record(revision, startedAt, deps, reason);
    const repeated =
      lastSync?.revision === line.revision &&
      lastSync.result === line.result &&
      lastSync.reason === line.reason;
    return changed || !repeated ? { sync: line } : {};
  };
  // A reconcile aborted after it changed the cluster: the caller keeps what this says it left.
  const cutShort = (extra: Partial<ReconcileResult>): ReconcileResult => ({
    outcome: { kind: 'progressing', message: 'cut short' },
    changes: noChanges,
    ...extra,
  });
  const failed = (
    reason: FailureReason,
    message: string,
    extra: Partial<ReconcileResult> = {},
  ): ReconcileResult => ({
    outcome: { kind: 'failed', reason, message },
    changes: noChanges,
    ...extra,
  });

  // 1. Suspended: touch nothing.
  if (ctx.spec.suspend) return { outcome: { kind: 'suspended' }, changes: noChanges };

  // 2. Dependencies: every Application named in dependsOn is Ready at its current generation.
  const blocked = dependencyProblem(ctx, deps.applications);
  if (blocked) return failed('DependencyNotReady', blocked);

  // 3. Resolve the revision: a cheap remote check, before any fetch.
  let commit: string;
  try {
    commit = await deps.source.resolve(ctx, signal);
  } catch (error) {
    return failed(sourceReason(error), messageOf(error));
  }

  // 4. Fetch that exact commit (once per repository and revision for all Applications).
  let checkout: Awaited<ReturnType<SourcePort['checkout']>>;
  try {
    checkout = await deps.source.checkout(ctx, commit, signal);
  } catch (error) {
    return failed(sourceReason(error), messageOf(error));
  }
  const revision = checkout.revision;
  let attempted: Pick<
    ReconcileResult,
    | 'lastAttemptedRevision'
    | 'trailers'
    | 'committedAt'
    | 'ifNotPresent'
    | 'conflicts'
    | 'newConflicts'
  > = {
    lastAttemptedRevision: revision,
    trailers: checkout.trailers,
    ...(checkout.committedAt === undefined ? {} : { committedAt: checkout.committedAt }),
  };
  const status = ctx.app.status;
  // `Reconciling` is written while the render runs, and has been before anything is applied.
  const shown =
    status?.lastAppliedRevision !== revision || status.observedGeneration !== generationOf(ctx.app)
      ? deps.onProgress?.(ctx, {
          outcome: { kind: 'progressing', message: `applying revision ${revision}` },
          changes: noChanges,
          ...attempted,
        })
      : undefined;
  shown?.catch(() => undefined); // awaited below, after the render, whatever it comes to
  // 5. Render: kustomize (jailed) or plain YAML, parsed and checked.
  let objects: Awaited<ReturnType<RenderPort['render']>>;
  try {
    objects = await deps.render.render(checkout.dir, ctx, signal);
  } catch (error) {
    await shown;
    const reason = error instanceof ManifestParseError ? 'ValidationFailed' : 'BuildFailed';
    return failed(reason, messageOf(error), { ...attempted, ...syncOf(revision, false, reason) });
  }
  await shown;
  if (objects.length === 0 && previous.length > 0 && !ctx.spec.allowEmpty) {
    const message = `${ctx.spec.source.path} rendered no objects; refusing to prune all ${previous.length} (set allowEmpty to allow it)`;
    return failed('ValidationFailed', message, {
      ...attempted,
      ...syncOf(revision, false, 'ValidationFailed'),
    });
  }

  // 6. Apply: plan everything first (dry runs where needed), then only what differs, CRDs and
  // Namespaces first.
  // What it writes joins the inventory even when it fails or is cut short, so that nothing it
  // left in the cluster escapes pruning or the Application's deletion (nothing is pruned).
  // Fields another manager keeps setting back are left out (see `conflicts.ts`).
  const written: InventoryEntry[] = [];
  const withWritten = () =>
    written.length === 0 ? {} : { inventory: normalizeInventory([...previous, ...written]) };
  const epoch = { revision, generation: generationOf(ctx.app) };
  const given = deps.conflicts?.conflictsOf(ctx.key, epoch) ?? [];
  let applied: ApplyReport;
  try {
    // With selfHeal off, a revision already applied at this generation is only compared:
    // what differs was changed by hand and stays, reported as drift (see `self-heal.ts`).
    applied =
      deps.engine.compare && leavesDrift(ctx, revision)
        ? await deps.engine.compare(objects, ctx, signal)
        : await deps.engine.apply(objects, ctx, signal, (entry) => written.push(entry), given);
  } catch (error) {
    if (signal.aborted) {
      if (written.length === 0) throw error;
      return cutShort({ ...attempted, ...withWritten() });
    }
    return failed('ApplyFailed', messageOf(error), {
      ...attempted,
      ...withWritten(),
      ...syncOf(revision, written.length > 0, 'ApplyFailed'),
    });
  }
  const found = (applied.reverted ?? []).flatMap((revert) => {
    const conflict = deps.conflicts?.recordRevert(ctx.key, epoch, revert);
    return conflict ? [conflict] : [];
  });
  attempted = {
    ...attempted,
    ifNotPresent: applied.ifNotPresent ?? [],
    ...(given.length + found.length > 0 ? { conflicts: [...given, ...found] } : {}),
    ...(found.length > 0 ? { newConflicts: found } : {}),
  };
  const changes: ChangeCounts = {
    created: applied.created,
    configured: applied.configured,
    unchanged: applied.unchanged,
    deleted: 0,
  };
  const applyFailure = applyFailureMessage(applied);
  if (applyFailure !== undefined) {
    return failed('ApplyFailed', applyFailure, {
      ...attempted,
      ...withWritten(),
      changes,
      ...syncOf(revision, written.length > 0, 'ApplyFailed'),
    });
  }

  // 7. Prune: only after this revision applied, only what we still own; failures stay listed.
  let inventory = [...normalizeInventory(applied.inventory)];
  const stale = diffInventory(previous, applied.inventory);
  if (ctx.spec.prune && stale.length > 0) {
    let pruned: PruneReport;
    try {
      pruned = await deps.engine.prune(stale, ctx, signal);
    } catch (error) {
      // Cut short or failed as a whole: what was applied and what was to go both stay listed,
      // so the next attempt prunes them.
      const kept = { ...attempted, inventory: [...withEntries(inventory, stale)], changes };
      if (signal.aborted) return cutShort(kept);
      return failed('PruneFailed', `prune: ${messageOf(error)}`, {
        ...kept,
        ...syncOf(revision, changed(changes), 'PruneFailed'),
      });
    }
    changes.deleted = pruned.deleted.length;
    inventory = [
      ...withEntries(
        inventory,
        pruned.failed.map((f) => f.entry),
      ),
    ];
    if (pruned.failed.length > 0) {
      const message = `could not prune ${pruned.failed.map((f) => `${f.entry.id}: ${f.message}`).join('; ')}`;
      return failed('PruneFailed', message, {
        ...attempted,
        inventory,
        changes,
        ...syncOf(revision, changed(changes), 'PruneFailed'),
      });
    }
  } else if (!ctx.spec.prune) {
    inventory = [...withEntries(inventory, stale)];
  }

  // 8. Health: kstatus rules; with `wait`, Ready waits for it (a new revision cancels the wait).
  let health: HealthReport;
  try {
    health = await deps.engine.health(
      applied.inventory,
      ctx,
      ctx.spec.wait,
      signal,
      applied.observed,
    );
  } catch (error) {
    const kept = { ...attempted, inventory, changes };
    if (signal.aborted) return cutShort(kept);
    return failed('HealthCheckFailed', `health check: ${messageOf(error)}`, {
      ...kept,
      ...syncOf(revision, changed(changes), 'HealthCheckFailed'),
    });
  }
  // The history records a health failure as one: a rollout that keeps failing is no success.
  const unhealthy = healthProblem(health, ctx);
  const reason = unhealthy === undefined ? undefined : 'HealthCheckFailed';
  const base = {
    ...attempted,
    inventory,
    health,
    changes,
    ...syncOf(revision, changed(changes), reason),
  };
  if (unhealthy !== undefined) return failed('HealthCheckFailed', unhealthy, base);

  // 9. Ready.
  const message = `applied revision ${revision}${driftNote(applied.drifted)}${conflictNote(attempted.conflicts ?? [])}`;
  return {
    ...base,
    lastAppliedRevision: revision,
    ...(applied.drifted?.length ? { drifted: applied.drifted } : {}),
    outcome: { kind: 'succeeded', message, health },
  };
}

/** Why health keeps the Application from Ready (only with `wait`), if it does. */
function healthProblem(health: HealthReport, ctx: AppContext): string | undefined {
  if (!ctx.spec.wait) return undefined;
  if (health.status === 'Degraded') return health.message;
  if (health.status === 'Progressing') {
    return `not healthy within ${ctx.spec.timeout / 1000}s: ${health.message}`;
  }
  return undefined;
}

/** Whether anything in the cluster was created, configured or deleted. */
function changed(changes: ChangeCounts): boolean {
  return changes.created + changes.configured + changes.deleted > 0;
}

function record(
  revision: string,
  startedAt: string,
  deps: ReconcileDeps,
  reason?: FailureReason,
): SyncRecord {
  return {
    revision,
    startedAt,
    finishedAt: deps.now().toISOString(),
    result: reason ? 'Failed' : 'Succeeded',
    ...(reason ? { reason } : {}),
  };
}

/** An authentication failure says so; every other source failure is a fetch failure. */
function sourceReason(error: unknown): FailureReason {
  return error instanceof SourceError && error.reason === 'AuthFailed'
    ? 'AuthFailed'
    : 'FetchFailed';
}
