/**
 * StatefulSets (kstatus): `OnDelete` sets are Current (updates wait for manual pod deletion);
 * otherwise InProgress until every replica is ready and current, honouring a partitioned
 * rolling update.
 */
import { health } from '../status.ts';
import { intAt, stringAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The StatefulSet rule. */
export const statefulSetHealth: KindRule = (obj) => {
  if (stringAt(obj, 'spec.updateStrategy.type') === 'OnDelete') {
    return health('Current', 'OnDelete', 'StatefulSet is using the OnDelete update strategy');
  }
  const spec = intAt(obj, 'spec.replicas', 1);
  const replicas = intAt(obj, 'status.replicas', 0);
  const ready = intAt(obj, 'status.readyReplicas', 0);
  const current = intAt(obj, 'status.currentReplicas', 0);
  const updated = intAt(obj, 'status.updatedReplicas', 0);
  const partition = intAt(obj, 'spec.updateStrategy.rollingUpdate.partition', -1);
  if (spec > replicas) return health('InProgress', 'LessReplicas', `Replicas: ${replicas}/${spec}`);
  if (spec > ready) return health('InProgress', 'LessReady', `Ready: ${ready}/${spec}`);
  if (replicas > spec) {
    return health('InProgress', 'ExtraPods', `Pending termination: ${replicas - spec}`);
  }
  if (partition !== -1) {
    const expected = spec - partition;
    if (updated < expected) {
      return health('InProgress', 'PartitionRollout', `updated: ${updated}/${expected}`);
    }
    return health(
      'Current',
      'PartitionRolloutComplete',
      `Partition rollout complete. updated: ${updated}`,
    );
  }
  if (spec > current) return health('InProgress', 'LessCurrent', `current: ${current}/${spec}`);
  const currentRevision = stringAt(obj, 'status.currentRevision');
  const updateRevision = stringAt(obj, 'status.updateRevision');
  if (currentRevision !== updateRevision) {
    return health(
      'InProgress',
      'RevisionMismatch',
      `Waiting for updated revision ${updateRevision} to be current`,
    );
  }
  return health('Current', 'Ready', `All replicas scheduled as expected. Replicas: ${replicas}`);
};
