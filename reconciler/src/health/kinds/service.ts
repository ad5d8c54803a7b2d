/** Services (kstatus): a LoadBalancer without a cluster IP yet is InProgress; others Current. */
import { health } from '../status.ts';
import { stringAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The Service rule. */
export const serviceHealth: KindRule = (obj) =>
  stringAt(obj, 'spec.type') === 'LoadBalancer' && stringAt(obj, 'spec.clusterIP') === ''
    ? health('InProgress', 'NoIPAssigned', 'ClusterIP not set')
    : health('Current', 'ServiceReady', 'Service is ready');
