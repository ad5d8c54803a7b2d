/**
 * The fields other controllers own by design (see `@kustodian/shared/apply/yields`), and the
 * marking of the workloads a HorizontalPodAutoscaler of the same set scales.
 */
import { autoscaleKey, autoscaleTargets } from '@kustodian/shared/apply/yields';
import type { PreparedObject } from './outcomes.ts';

export {
  wellKnownYields,
  withoutYieldedFields,
  withReplicasLeftToAutoscaler,
  type Yield,
  type YieldTable,
} from '@kustodian/shared/apply/yields';

/** Marks the objects that a HorizontalPodAutoscaler of the same set scales. */
export function markAutoscaled(prepared: readonly PreparedObject[]): void {
  const targets = autoscaleTargets(prepared.map((item) => item.object));
  if (targets.size === 0) return;
  for (const item of prepared) if (targets.has(autoscaleKey(item.object))) item.autoscaled = true;
}
