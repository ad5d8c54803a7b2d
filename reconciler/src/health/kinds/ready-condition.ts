/**
 * The fallback for kinds without a rule (custom resources): their `Ready` condition, when they
 * have one. Without it the object is Current.
 */
import type { KubeObject } from '../../kube/object.ts';
import { type HealthResult, health } from '../status.ts';
import { conditionOf } from './fields.ts';

/** The verdict of the `Ready` condition, or `undefined` when there is none. */
export function readyConditionHealth(obj: KubeObject): HealthResult | undefined {
  const ready = conditionOf(obj, 'Ready');
  if (!ready) return undefined;
  if (ready.status === 'True')
    return health('Current', ready.reason || 'Ready', ready.message || 'Resource is Ready');
  return health('InProgress', ready.reason || 'NotReady', ready.message || 'Resource is not Ready');
}

/** What an object without any signal is: Current. */
export const noSignalHealth: HealthResult = Object.freeze(
  health('Current', 'Current', 'Resource is current'),
);
