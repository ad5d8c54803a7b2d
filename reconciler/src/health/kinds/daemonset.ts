/**
 * DaemonSets (kstatus): the controller must have observed the generation; then InProgress until
 * the desired number of pods is scheduled, updated, available and ready.
 */
import { health } from '../status.ts';
import { intAt } from './fields.ts';
import { generationSet } from './generic.ts';
import type { KindRule } from './rule.ts';

/** The DaemonSet rule. */
export const daemonSetHealth: KindRule = (obj) => {
  const unobserved = generationSet(obj);
  if (unobserved) return unobserved;
  const desired = intAt(obj, 'status.desiredNumberScheduled', -1);
  if (desired === -1)
    return health('InProgress', 'NoDesiredNumber', 'Missing .status.desiredNumberScheduled');
  const scheduled = intAt(obj, 'status.currentNumberScheduled', 0);
  const updated = intAt(obj, 'status.updatedNumberScheduled', 0);
  const available = intAt(obj, 'status.numberAvailable', 0);
  const ready = intAt(obj, 'status.numberReady', 0);
  if (desired > scheduled)
    return health('InProgress', 'LessCurrent', `Current: ${scheduled}/${desired}`);
  if (desired > updated)
    return health('InProgress', 'LessUpdated', `Updated: ${updated}/${desired}`);
  if (desired > available)
    return health('InProgress', 'LessAvailable', `Available: ${available}/${desired}`);
  if (desired > ready) return health('InProgress', 'LessReady', `Ready: ${ready}/${desired}`);
  return health('Current', 'Ready', `All replicas scheduled as expected. Replicas: ${desired}`);
};
