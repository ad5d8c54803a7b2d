/**
 * What a manifest in git can ask of the reconciler for itself alone, with annotations (the same
 * choices Flux users make with `kustomize.toolkit.fluxcd.io/ssa` and `.../prune`):
 *
 * - `kustodian.dev/apply: IfNotPresent`: create the object when it is missing, and otherwise
 *   leave it as it is (no update, no drift revert); for objects people or other controllers
 *   own after the first day, such as a Secret filled in by hand.
 * - `kustodian.dev/prune: disabled`: never delete the object, neither when it leaves git nor
 *   when its Application is deleted. Read from the live object, where it was applied.
 *
 * Any other value is refused with the object and the values allowed, rather than guessed at.
 */
import { type AppliedObject as KubeObject, stringMap } from './object.ts';

/** The annotation that chooses how an object is applied. */
export const applyAnnotation = 'kustodian.dev/apply';
/** Its values: `Always` (the default) or `IfNotPresent`. */
export const applyPolicies = ['Always', 'IfNotPresent'] as const;
export type ApplyPolicy = (typeof applyPolicies)[number];

/** The annotation that exempts an object from deletion. */
export const pruneAnnotation = 'kustodian.dev/prune';
/** Its values: `enabled` (the default) or `disabled`. */
export const prunePolicies = ['enabled', 'disabled'] as const;
export type PrunePolicy = (typeof prunePolicies)[number];

/** How `obj` asks to be applied. */
export function applyPolicyOf(obj: KubeObject): ApplyPolicy {
  return stringMap(obj, 'annotations')[applyAnnotation] === 'IfNotPresent'
    ? 'IfNotPresent'
    : 'Always';
}

/** Whether `live` asks never to be deleted. */
export function isPruneDisabled(live: KubeObject): boolean {
  return stringMap(live, 'annotations')[pruneAnnotation] === 'disabled';
}

/** What is wrong with the object's annotations of this file, if anything. */
export function objectOptionsProblem(obj: KubeObject): string | undefined {
  const annotations = stringMap(obj, 'annotations');
  for (const [name, allowed] of [
    [applyAnnotation, applyPolicies],
    [pruneAnnotation, prunePolicies],
  ] as const) {
    const value = annotations[name];
    if (value !== undefined && !(allowed as readonly string[]).includes(value)) {
      return `annotation ${name}: "${value}" is not one of ${allowed.join(', ')}`;
    }
  }
  return undefined;
}
