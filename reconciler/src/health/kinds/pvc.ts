/** PersistentVolumeClaims (kstatus): Current once Bound. */
import { health } from '../status.ts';
import { stringAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The PersistentVolumeClaim rule. */
export const pvcHealth: KindRule = (obj) =>
  stringAt(obj, 'status.phase') === 'Bound'
    ? health('Current', 'Bound', 'PVC is Bound')
    : health('InProgress', 'NotBound', 'PVC is not Bound');
