/**
 * `applyAll`: server-side apply of a whole set, staged and all-or-nothing up to the cluster's
 * own limits.
 *
 * 1. Prepare: resolve kinds, fill in namespaces, set ownership marks.
 * 2. Plan before the first write (`plan-set.ts`). An object the last apply left as it is now
 *    (same object sent, same live values at its paths as the drift watch saw them, `applied.ts`)
 *    is unchanged without a request. Every other object that exists is read (a kind and namespace
 *    at a time) and dry-run, to know what differs. An object that does not exist yet is planned
 *    as a create without a dry run, unless the set also updates or recreates an object that
 *    exists: then the new objects are dry-run too, so that a refusal leaves everything that runs
 *    as it was. Any refusal means nothing is written and the refusals are returned.
 *    Objects that depend on definitions of the same set (custom resources of a new CRD, objects
 *    in a new Namespace) cannot be planned before those exist; they are planned (and, by the same
 *    rule, dry-run or not) right after their definitions are applied. Objects in a Namespace the
 *    set creates are known not to exist and are not read at all.
 * 3. Per stage (definitions, classes, roles, the rest): write only the objects that differ, then
 *    wait until the stage's written objects are Current (CRDs Established, Namespaces Active)
 *    before the next stage. A create sent without a dry run that the server refuses fails that
 *    object, stops the stage's creates not yet sent (skipped) and every later stage; what was
 *    written before is reported created (and told to `onWritten`), so a first sync with a bad
 *    object writes only new objects, and says which failed. A first sync of N new objects is so
 *    N writes; a resync of an unchanged set, with the drift watch's view, no request at all.
 * 4. Remember what each object left (`ApplyOptions.memory`) for the next apply.
 */

import { managedBySelector, type Owner } from '@kustodian/shared/apply/ownership';
import type { FieldPath } from '../drift/fields.ts';
import { waitFor } from '../health/wait.ts';
import type { ChangeFeed } from '../kube/changes.ts';
import { type Clock, systemClock } from '../kube/clock.ts';
import { mapLimit } from '../kube/each.ts';
import type { Kube } from '../kube/kube.ts';
import { type KubeObject, refOf } from '../kube/object.ts';
import { type AppliedMemory, type LiveView, recordOf } from './applied.ts';
import type { ApplyEntry, ApplyResult, PreparedObject } from './outcomes.ts';
import type { Plan, PlanContext } from './plan.ts';
import { changesExisting, checkCreates, planBeforeWrites, planItems } from './plan-set.ts';
import { namespacesInSet, prepareObjects } from './prepare.ts';
import { type ApplyStage, applyStages, planStages } from './stages.ts';
import { type WriteContext, writePlan } from './write.ts';
import type { YieldTable } from './yielded.ts';

/** Options of {@link applyAll}. */
export interface ApplyOptions {
  /** The client to apply with (an impersonating one for an Application's service account). */
  kube: Kube;
  /** The Application the objects belong to (owner annotation). */
  owner: Owner;
  /** The namespace of namespaced objects that name none. */
  defaultNamespace: string;
  /** Delete and recreate objects whose immutable fields change; default false. */
  force?: boolean;
  /** What other controllers own by design; default `wellKnownYields` (see `yielded.ts`). */
  yields?: YieldTable;
  /** Fields not to claim, by object id: those another manager keeps setting back. */
  leftOut?: ReadonlyMap<string, readonly FieldPath[]>;
  /** How long a stage's definitions, or a recreated object's deletion, may take; default 60 s. */
  timeoutMs?: number;
  /** The longest poll interval of those waits; default 1 s (the first 100 ms, then doubling). */
  pollIntervalMs?: number;
  /** Objects read, dry-run or written at once; default {@link defaultApplyConcurrency}. */
  concurrency?: number;
  clock?: Clock;
  /** Aborting stops between requests; the call then rejects with the abort reason. */
  signal?: AbortSignal;
  /**
   * Called with each object (as sent) once the server stored it, and with one whose write was
   * on the way when the call was aborted (the server may have stored it): what a failed or
   * aborted call wrote, for the inventory.
   */
  onWritten?: (object: KubeObject) => void;
  /**
   * What the last apply of the same Application left, updated by this one (see `applied.ts`);
   * with `live`, objects it shows unchanged are not read, dry-run nor written.
   */
  memory?: AppliedMemory;
  /** The live objects as the Application's drift watch sees them. */
  live?: LiveView;
  /** Changes to objects as watches see them: a stage's wait follows these instead of polling. */
  changes?: ChangeFeed;
}

/**
 * Requests in flight per set. Each object costs a dry run and, when it differs, a write; with
 * requests taking tens of milliseconds, a handful at once leaves the API server mostly idle
 * while the set waits on round trips. The client's rate limit still paces them.
 */
export const defaultApplyConcurrency = 16;

/** The first wait between polls of a stage's objects: a CRD is Established within moments. */
const firstStagePollMs = 100;

/** Applies `objects` as described above. Per-object failures are entries; aborts reject. */
export async function applyAll(
  objects: readonly KubeObject[],
  options: ApplyOptions,
): Promise<ApplyResult> {
  // Prepare: resolve kinds, fill in namespaces, set ownership marks; order by stage.
  const prepared = await prepareObjects(objects, options);
  const stages = planStages(prepared);
  const ordered = stages.flatMap((group) => group.items);
  const run = startRun(prepared, options);

  // Plan every object that can be before anything is written: unchanged ones from the drift
  // watch's view, existing ones by a dry run; new ones are dry-run only when the set also
  // changes existing ones.
  await planBeforeWrites(ordered, run);
  if (!anyFailed(run.plans) && changesExisting(run.plans)) {
    run.plan.dryRunNew = true;
    await checkCreates(ordered, run);
  }
  if (anyFailed(run.plans)) {
    const why = 'another object failed its dry run; nothing was written';
    return result(ordered, entriesWithoutWrites(ordered, run.plans, why), run, options);
  }

  // Write stage by stage, waiting for each stage's written objects before the next.
  const entries = new Map<string, ApplyEntry>();
  let blocked: string | undefined;
  for (const [index, { stage, items }] of stages.entries()) {
    if (blocked) {
      for (const item of items)
        entries.set(item.id, { id: item.id, outcome: 'skipped', error: blocked });
      continue;
    }
    const done = await applyStage(stage, items, index === stages.length - 1, run);
    for (const entry of done.entries) entries.set(entry.id, entry);
    blocked = done.blocked;
  }
  return result(
    ordered,
    ordered.map((item) => entries.get(item.id) ?? { id: item.id, outcome: 'skipped' }),
    run,
    options,
  );
}

const anyFailed = (plans: ReadonlyMap<string, Plan>) =>
  [...plans.values()].some((plan) => plan.action === 'fail');

/** The state of one `applyAll` call. */
interface Run {
  plans: Map<string, Plan>;
  plan: PlanContext;
  write: WriteContext & { observed: Map<string, KubeObject> };
  concurrency: number;
  since?: { memory: AppliedMemory; live: LiveView };
}

function startRun(prepared: readonly PreparedObject[], options: ApplyOptions): Run {
  const clock = options.clock ?? systemClock;
  const signal = options.signal ? { signal: options.signal } : {};
  return {
    plans: new Map(),
    plan: {
      kube: options.kube,
      force: options.force ?? false,
      namespaces: namespacesInSet(prepared),
      definitionsApplied: false,
      dryRunNew: false,
      clock,
      ...signal,
    },
    write: {
      kube: options.kube,
      clock,
      timeoutMs: options.timeoutMs ?? 60_000,
      pollIntervalMs: options.pollIntervalMs ?? 1000,
      observed: new Map(),
      ...signal,
      ...(options.onWritten ? { onWritten: options.onWritten } : {}),
      ...(options.changes ? { changes: options.changes } : {}),
    },
    concurrency: options.concurrency ?? defaultApplyConcurrency,
    ...(options.memory && options.live
      ? { since: { memory: options.memory, live: options.live } }
      : {}),
  };
}

/**
 * One stage: dry-run the objects that had to wait for earlier stages, write the changes, and
 * (unless it is the last stage) wait for what was written. `blocked` says why later stages
 * cannot go on.
 */
async function applyStage(
  stage: ApplyStage,
  items: readonly PreparedObject[],
  last: boolean,
  run: Run,
): Promise<{ entries: ApplyEntry[]; blocked?: string }> {
  if (stage !== applyStages[0]) run.plan.definitionsApplied = true;
  const deferred = items.filter((item) => run.plans.get(item.id)?.action === 'defer');
  await planItems(deferred, run);
  if (deferred.some((item) => run.plans.get(item.id)?.action === 'fail')) {
    const why = `another object of the ${stage} stage failed its dry run`;
    return {
      entries: entriesWithoutWrites(items, run.plans, why),
      blocked: `not applied: an object of the ${stage} stage failed its dry run`,
    };
  }
  // A refused create that had no dry run stops the creates of the stage not yet sent.
  let refused: string | undefined;
  const entries = await mapLimit(items, run.concurrency, async (item): Promise<ApplyEntry> => {
    const plan = run.plans.get(item.id) ?? { action: 'defer' };
    const unchecked = plan.action === 'create' && plan.unchecked === true;
    if (unchecked && refused) return { id: item.id, outcome: 'skipped', error: refused };
    const entry = await writePlan(item, plan, run.write);
    if (unchecked && entry.outcome === 'failed')
      refused = `not applied: ${item.id} was refused first`;
    return entry;
  });
  const blocked = await stageProblem(stage, items, entries, last, run.write);
  return blocked ? { entries, blocked } : { entries };
}

/** Entries when nothing is written: failures as they are, every other object skipped. */
function entriesWithoutWrites(
  items: readonly PreparedObject[],
  plans: ReadonlyMap<string, Plan>,
  why: string,
): ApplyEntry[] {
  return items.map((item) => {
    const plan = plans.get(item.id);
    return plan?.action === 'fail'
      ? { id: item.id, outcome: 'failed', error: plan.error }
      : { id: item.id, outcome: 'skipped', error: why };
  });
}

/**
 * Why later stages cannot go on: an object of this stage failed, or the objects it wrote did
 * not become Current in time. `undefined` when the next stage may start.
 */
async function stageProblem(
  stage: string,
  items: readonly PreparedObject[],
  written: readonly ApplyEntry[],
  last: boolean,
  context: WriteContext,
): Promise<string | undefined> {
  if (written.some((entry) => entry.outcome === 'failed'))
    return `not applied: an object of the ${stage} stage failed`;
  const changed = items.filter((_, index) =>
    ['created', 'configured'].includes(written[index]?.outcome ?? ''),
  );
  if (last || changed.length === 0) return undefined;
  const waited = await waitFor(
    changed.map((item) => refOf(item.object)),
    {
      kube: context.kube,
      ...(context.observed ? { known: context.observed } : {}),
      labelSelector: managedBySelector,
      ...(context.changes ? { changes: context.changes } : {}),
      timeoutMs: context.timeoutMs,
      intervalMs: context.pollIntervalMs,
      firstIntervalMs: firstStagePollMs,
      clock: context.clock,
      ...(context.signal ? { signal: context.signal } : {}),
    },
  );
  context.signal?.throwIfAborted();
  if (waited.outcome === 'Current') return undefined;
  return `not applied: the ${stage} stage did not become ready (${waited.outcome}): ${waited.summary.message}`;
}

function result(
  ordered: readonly PreparedObject[],
  entries: ApplyEntry[],
  run: Run,
  options: Pick<ApplyOptions, 'memory'>,
): ApplyResult {
  const ok = entries.every((entry) =>
    ['created', 'configured', 'unchanged'].includes(entry.outcome),
  );
  if (options.memory) remember(options.memory, ordered, entries, run.write.observed);
  return { entries, objects: ordered.map((item) => item.object), observed: run.write.observed, ok };
}

/**
 * Records what each object of the set left: as the server answered its write, or its live
 * state; forgets the objects that failed or were skipped, and those no longer in the set.
 */
function remember(
  memory: AppliedMemory,
  ordered: readonly PreparedObject[],
  entries: readonly ApplyEntry[],
  observed: ReadonlyMap<string, KubeObject>,
): void {
  const inSet = new Set(ordered.map((item) => item.id));
  for (const id of memory.keys()) if (!inSet.has(id)) memory.delete(id);
  for (const [index, item] of ordered.entries()) {
    const live = observed.get(item.id);
    const outcome = entries[index]?.outcome ?? 'skipped';
    if (live && ['created', 'configured', 'unchanged'].includes(outcome)) {
      memory.set(item.id, recordOf(item, live, memory.get(item.id)));
    } else memory.delete(item.id);
  }
}
