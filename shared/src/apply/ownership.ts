/**
 * Ownership marks: every object Kustodian applies carries the `managed-by` label (what drift
 * watches select on) and an owner annotation naming its Application (what prune checks before
 * deleting, so an object moved to another Application is never deleted by the old one).
 */
import { type AppliedObject as KubeObject, stringMap } from './object.ts';

/** The field manager of every write, as `metadata.managedFields` records it. */
export const fieldManager = 'kustodian';

/** The label every applied object carries. */
export const managedByLabel = 'app.kubernetes.io/managed-by';
/** Its value. */
export const managedByValue = 'kustodian';
/** The label selector of every object Kustodian manages. */
export const managedBySelector = `${managedByLabel}=${managedByValue}`;
/** The annotation naming the owning Application as `<namespace>/<name>`. */
export const ownerAnnotation = 'kustodian.dev/owner';

/** The Application that owns a set of objects. */
export interface Owner {
  namespace: string;
  name: string;
}

/** The owner annotation's value: `<namespace>/<name>`. */
export function ownerValue(owner: Owner): string {
  return `${owner.namespace}/${owner.name}`;
}

/** A copy of `obj` with the managed-by label and the owner annotation set (others kept). */
export function withOwnership(obj: KubeObject, owner: Owner): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...stringMap(obj, 'labels'), [managedByLabel]: managedByValue },
      annotations: { ...stringMap(obj, 'annotations'), [ownerAnnotation]: ownerValue(owner) },
    },
  };
}

/** The owner annotation of a live object, if any. */
export function ownerOf(live: KubeObject): string | undefined {
  return stringMap(live, 'annotations')[ownerAnnotation];
}

/** Whether a live object still carries `owner`'s annotation. */
export function isOwnedBy(live: KubeObject, owner: Owner): boolean {
  return ownerOf(live) === ownerValue(owner);
}
