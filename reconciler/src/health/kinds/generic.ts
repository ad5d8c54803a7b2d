/**
 * The checks kstatus runs on every object before its kind's rule: deletion in progress, a
 * generation the controller has not seen yet, and the standard `Reconciling` / `Stalled`
 * conditions. `undefined` means "no verdict, ask the kind's rule".
 */
import type { KubeObject } from '../../kube/object.ts';
import { type HealthResult, health } from '../status.ts';
import { conditionsOf, fieldAt, intAt } from './fields.ts';

/** The generic verdict of an object, if any. */
export function genericHealth(obj: KubeObject): HealthResult | undefined {
  if (fieldAt(obj, 'metadata.deletionTimestamp')) {
    return health('Terminating', 'Terminating', 'Resource scheduled for deletion');
  }
  const generation = observedGenerationLag(obj);
  if (generation) return generation;
  for (const condition of conditionsOf(obj)) {
    if (condition.type === 'Reconciling' && condition.status === 'True') {
      return health('InProgress', condition.reason || 'Reconciling', condition.message);
    }
    if (condition.type === 'Stalled' && condition.status === 'True') {
      return health('Failed', condition.reason || 'Stalled', condition.message);
    }
  }
  return undefined;
}

/**
 * InProgress when the controller has not observed the latest spec. Skipped when either number
 * is absent: many objects have no controller writing `observedGeneration`.
 */
function observedGenerationLag(obj: KubeObject): HealthResult | undefined {
  const generation = intAt(obj, 'metadata.generation', -1);
  const observed = intAt(obj, 'status.observedGeneration', -1);
  if (generation === -1 || observed === -1 || generation === observed) return undefined;
  return health(
    'InProgress',
    'LatestGenerationNotObserved',
    `${obj.kind} generation is ${generation}, but latest observed generation is ${observed}`,
  );
}

/**
 * kstatus's stricter check for kinds whose controller always writes `observedGeneration`
 * (DaemonSet): a missing number means the controller has not looked yet.
 */
export function generationSet(obj: KubeObject): HealthResult | undefined {
  if (intAt(obj, 'metadata.generation', -1) === -1) {
    return health('InProgress', 'NoGeneration', 'Resource has no generation yet');
  }
  if (intAt(obj, 'status.observedGeneration', -1) === -1) {
    return health(
      'InProgress',
      'NoObservedGeneration',
      'The controller has not observed the resource yet',
    );
  }
  return undefined;
}
