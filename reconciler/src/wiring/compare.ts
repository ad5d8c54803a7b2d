/**
 * Comparing a set with the cluster without writing anything: what `selfHeal: false` does with a
 * revision and spec that were applied already. Each object is prepared and dry-run exactly as
 * `applyAll` would (`prepare.ts`, `plan-set.ts`), and every object a write would change is drift
 * (a person changed or deleted it), reported and left as it is. Objects the drift watch shows as
 * the last apply left them are unchanged without a request; missing ones are not dry-run (there
 * is nothing to compare them with).
 */
import { type AppliedMemory, type LiveView, recordOf } from '../apply/applied.ts';
import type { Plan } from '../apply/plan.ts';
import { planBeforeWrites } from '../apply/plan-set.ts';
import { namespacesInSet, type PrepareContext, prepareObjects } from '../apply/prepare.ts';
import { planStages } from '../apply/stages.ts';
import type { Clock } from '../kube/clock.ts';
import type { Kube } from '../kube/kube.ts';
import type { KubeObject } from '../kube/object.ts';

/** What comparing needs: the client and settings an apply of the same set would use. */
export interface CompareOptions extends PrepareContext {
  readonly kube: Pick<Kube, 'get' | 'list' | 'apply' | 'resourceFor'>;
  readonly force: boolean;
  readonly clock: Clock;
  readonly signal?: AbortSignal;
  /** Objects read or dry-run at once; default 16, as an apply. */
  readonly concurrency?: number;
  /** What the last apply or comparison left, updated with what this one finds unchanged. */
  readonly memory?: AppliedMemory;
  /** The live objects as the drift watch sees them (see `ApplyOptions.live`). */
  readonly live?: LiveView;
}

/** What comparing found, one list per verdict, each line `<id>: <why>`, in apply order. */
export interface Comparison {
  /** The objects as an apply would send them (ownership marks, namespaces), in apply order. */
  readonly objects: readonly KubeObject[];
  /** Objects that match the live ones: live as they are, by id. */
  readonly unchanged: ReadonlyMap<string, KubeObject>;
  /** Objects a write would change or create: `<id>: <what differs>`. */
  readonly drifted: readonly string[];
  /** Objects whose dry run was refused: `<id>: <error>`. */
  readonly failures: readonly string[];
}

/** Dry-runs `objects` against the live cluster; writes nothing. Aborts reject. */
export async function compareSet(
  objects: readonly KubeObject[],
  options: CompareOptions,
): Promise<Comparison> {
  const prepared = await prepareObjects(objects, options);
  const ordered = planStages(prepared).flatMap((group) => group.items);
  const plans = new Map<string, Plan>();
  await planBeforeWrites(ordered, {
    plans,
    plan: {
      kube: options.kube,
      force: options.force,
      namespaces: namespacesInSet(prepared),
      definitionsApplied: false,
      dryRunNew: false,
      clock: options.clock,
      ...(options.signal ? { signal: options.signal } : {}),
    },
    concurrency: options.concurrency ?? 16,
    ...(options.memory && options.live
      ? { since: { memory: options.memory, live: options.live } }
      : {}),
  });
  const unchanged = new Map<string, KubeObject>();
  const drifted: string[] = [];
  const failures: string[] = [];
  for (const item of ordered) {
    const plan = plans.get(item.id) ?? { action: 'defer' };
    if (plan.action === 'none') {
      unchanged.set(item.id, plan.live);
      options.memory?.set(item.id, recordOf(item, plan.live, options.memory.get(item.id)));
      continue;
    }
    options.memory?.delete(item.id);
    if (plan.action === 'fail') failures.push(`${item.id}: ${plan.error}`);
    else drifted.push(`${item.id}: ${driftOf(plan)}`);
  }
  return { objects: ordered.map((item) => item.object), unchanged, drifted, failures };
}

/** What a write would do, said as drift (paths only: values may be secret). */
function driftOf(plan: Exclude<Plan, { action: 'none' | 'fail' }>): string {
  switch (plan.action) {
    case 'create':
      return 'missing';
    case 'defer':
      return 'missing, with its namespace or definition';
    case 'update':
      return `differs at ${plan.diff.join(', ')}`;
    case 'recreate':
      return `differs at ${plan.fields} (immutable)`;
  }
}
