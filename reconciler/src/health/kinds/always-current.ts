/**
 * Kinds that have nothing to roll out: data (ConfigMap, Secret) and objects whose effect is
 * judged elsewhere (a PodDisruptionBudget, a CronJob's Jobs). kstatus calls them Current as soon
 * as they exist.
 */
import { health } from '../status.ts';
import type { KindRule } from './rule.ts';

/** The rule of kinds that are Current once they exist. */
export const alwaysCurrent: KindRule = () =>
  health('Current', 'Exists', 'Resource is always ready');
