/**
 * CustomResourceDefinitions (kstatus): Current once `Established` (its API is served), Failed
 * when its names are refused or establishing failed for a reason other than installing.
 */
import { health } from '../status.ts';
import { conditionOf } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The CustomResourceDefinition rule. */
export const crdHealth: KindRule = (obj) => {
  const names = conditionOf(obj, 'NamesAccepted');
  if (names?.status === 'False')
    return health('Failed', names.reason || 'NamesNotAccepted', names.message);
  const established = conditionOf(obj, 'Established');
  if (established?.status === 'True') return health('Current', 'Established', 'CRD is established');
  if (established?.status === 'False' && established.reason !== 'Installing') {
    return health('Failed', established.reason || 'NotEstablished', established.message);
  }
  return health('InProgress', 'Installing', 'Install in progress');
};
