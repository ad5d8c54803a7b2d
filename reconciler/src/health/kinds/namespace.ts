/**
 * Namespaces: not in kstatus's table (it calls every namespace Current), but apply waits for
 * them before creating their content, so a namespace counts as Current only once `Active`.
 */
import { health } from '../status.ts';
import { stringAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The Namespace rule. */
export const namespaceHealth: KindRule = (obj) => {
  const phase = stringAt(obj, 'status.phase');
  if (phase === 'Active') return health('Current', 'Active', 'Namespace is active');
  if (phase === 'Terminating')
    return health('Terminating', 'Terminating', 'Namespace is being deleted');
  return health('InProgress', 'NotActive', 'Namespace is not active yet');
};
