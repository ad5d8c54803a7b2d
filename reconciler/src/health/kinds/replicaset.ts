/** ReplicaSets (kstatus): InProgress until every replica is labelled, available and ready. */
import { health } from '../status.ts';
import { hasCondition, intAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The ReplicaSet rule. */
export const replicaSetHealth: KindRule = (obj) => {
  if (hasCondition(obj, 'ReplicaFailure', 'True')) {
    return health(
      'InProgress',
      'ReplicaFailure',
      'Replica Failure condition. See Events for details',
    );
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const replicas = intAt(obj, 'status.replicas', 0);
  const labelled = intAt(obj, 'status.fullyLabeledReplicas', 0);
  const available = intAt(obj, 'status.availableReplicas', 0);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  if (spec > labelled) return health('InProgress', 'LessLabelled', `Labelled: ${labelled}/${spec}`);
  if (spec > available)
    return health('InProgress', 'LessAvailable', `Available: ${available}/${spec}`);
  if (spec > ready) return health('InProgress', 'LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) {
    return health('InProgress', 'ExtraPods', `Pending termination: ${replicas - spec}`);
  }
  return health('Current', 'Ready', `ReplicaSet is available. Replicas: ${replicas}`);
};
