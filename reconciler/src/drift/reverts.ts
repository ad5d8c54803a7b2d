/**
 * Reverts: the fields an apply is about to set back after another field manager changed them.
 * Told apart from any other change by the server's own answer: a field counts when another
 * manager holds it in the live object and the dry run of the apply gives it another value. The
 * conflict tracker (`conflicts.ts`) counts these to tell a fight from a one-off edit.
 */
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../kube/object.ts';
import { foreignChanges } from './drifted.ts';
import { type FieldPath, objectPaths, valueAt } from './fields.ts';

/** Fields of one object that an apply sets back, and the manager that had set them. */
export interface Revert {
  manager: string;
  /** Sorted paths (see `fields.ts`). */
  fields: FieldPath[];
}

/**
 * What applying `desired` reverts: for each other manager holding fields of `desired` in
 * `live`, the ones whose value the dry-run result `merged` changes. Empty when the apply changes
 * only fields nobody else touched.
 */
export function revertsOf(live: KubeObject, merged: KubeObject, desired: KubeObject): Revert[] {
  const reverts: Revert[] = [];
  for (const change of foreignChanges(live, objectPaths(desired))) {
    const fields = change.paths.filter(
      (path) => !isDeepStrictEqual(valueAt(live, path), valueAt(merged, path)),
    );
    if (fields.length > 0) reverts.push({ manager: change.manager, fields: fields.sort() });
  }
  return reverts;
}
