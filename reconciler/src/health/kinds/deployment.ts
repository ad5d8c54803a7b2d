/**
 * Deployments (kstatus): Failed once the progress deadline is exceeded; otherwise InProgress
 * until every replica is updated, available and ready, no old pod is left, and the controller
 * reports both `Progressing` (NewReplicaSetAvailable) and `Available`.
 */
import { health } from '../status.ts';
import { conditionsOf, intAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The Deployment rule. */
export const deploymentHealth: KindRule = (obj) => {
  let progressing = false;
  let available = false;
  for (const condition of conditionsOf(obj)) {
    if (condition.type === 'Progressing' && condition.reason === 'ProgressDeadlineExceeded') {
      return health('Failed', 'ProgressDeadlineExceeded', 'Progress deadline exceeded');
    }
    if (
      condition.type === 'Progressing' &&
      condition.status === 'True' &&
      condition.reason === 'NewReplicaSetAvailable'
    ) {
      progressing = true;
    }
    if (condition.type === 'Available' && condition.status === 'True') available = true;
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const replicas = intAt(obj, 'status.replicas', 0);
  const updated = intAt(obj, 'status.updatedReplicas', 0);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  const availableReplicas = intAt(obj, 'status.availableReplicas', 0);
  if (spec > replicas) return health('InProgress', 'LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > updated) return health('InProgress', 'LessUpdated', `Updated: ${updated}/${spec}`);
  if (replicas > spec) {
    return health('InProgress', 'ExtraPods', `Pending termination: ${replicas - spec}`);
  }
  if (updated > availableReplicas) {
    return health('InProgress', 'LessAvailable', `Available: ${availableReplicas}/${updated}`);
  }
  if (spec > ready) return health('InProgress', 'LessReady', `Ready: ${ready}/${spec}`);
  if (!progressing) return health('InProgress', 'ReplicaSetNotAvailable', 'Rollout in progress');
  if (!available) return health('InProgress', 'DeploymentNotAvailable', 'Deployment not available');
  return health('Current', 'Available', `Deployment is available. Replicas: ${replicas}`);
};
