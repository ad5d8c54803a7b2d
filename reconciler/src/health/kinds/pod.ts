/**
 * Pods (kstatus): finished pods are Current (even failed ones: their owner decides), running
 * pods are Current once Ready and Failed when a container is crash-looping, pending pods are
 * InProgress, and unschedulable for longer than a short window is Failed.
 */

import type { KubeObject } from '../../kube/object.ts';
import { health } from '../status.ts';
import { conditionOf, fieldAt, hasCondition, stringAt } from './fields.ts';
import type { AssessContext, KindRule } from './rule.ts';

/** How long a pod may be unschedulable before it counts as Failed (kstatus's ScheduleWindow). */
export const scheduleWindowMs = 15_000;

/** The Pod rule. */
export const podHealth: KindRule = (obj, context) => {
  const phase = stringAt(obj, 'status.phase');
  switch (phase) {
    case 'Succeeded':
      return health('Current', 'PodCompleted', 'Pod has completed successfully');
    case 'Failed':
      return health('Current', 'PodFailed', 'Pod has completed, but not successfully');
    case 'Running':
      if (hasCondition(obj, 'Ready', 'True'))
        return health('Current', 'PodRunning', 'Pod is Ready');
      if (crashLooping(obj))
        return health('Failed', 'ContainerCrashLooping', 'Containers are crash looping');
      return health('InProgress', 'PodRunningNotReady', 'Pod is running but is not Ready');
    case 'Pending':
      return pendingHealth(obj, context);
    case '':
      return health('InProgress', 'PodNotObserved', 'Pod phase not available');
    default:
      throw new Error(`unknown Pod phase ${phase}`);
  }
};

function pendingHealth(obj: KubeObject, context: AssessContext) {
  const scheduled = conditionOf(obj, 'PodScheduled');
  if (scheduled?.status === 'False' && scheduled.reason === 'Unschedulable') {
    const created = Date.parse(stringAt(obj, 'metadata.creationTimestamp'));
    if (Number.isFinite(created) && context.now - created > scheduleWindowMs) {
      return health('Failed', 'PodUnschedulable', 'Pod could not be scheduled');
    }
    return health('InProgress', 'PodNotScheduled', 'Pod has not been scheduled');
  }
  return health('InProgress', 'PodPending', 'Pod is in the Pending phase');
}

function crashLooping(obj: KubeObject): boolean {
  const statuses = fieldAt(obj, 'status.containerStatuses');
  if (!Array.isArray(statuses)) return false;
  return statuses.some((status) => stringAt(status, 'state.waiting.reason') === 'CrashLoopBackOff');
}
