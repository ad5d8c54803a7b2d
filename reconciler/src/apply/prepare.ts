/**
 * Preparing a set for apply: resolve each kind (from discovery, or from a CRD in the same set
 * when its kind is not served yet), give namespaced objects without a namespace the default
 * one, drop the namespace of cluster-scoped ones, leave out the fields other controllers own by
 * design (see `yielded.ts`) and the fields given up in a fight (see `drift/conflicts.ts`), and
 * set the ownership marks.
 */

import { crdScopes } from '@kustodian/shared/apply/crd-scopes';
import { objectOptionsProblem } from '@kustodian/shared/apply/object-options';
import { type Owner, withOwnership } from '@kustodian/shared/apply/ownership';
import { messageOf } from '@kustodian/shared/errors';
import { groupOf } from '@kustodian/shared/manifests/object-id';
import { type FieldPath, withoutPaths } from '../drift/fields.ts';
import { UnknownKindError } from '../kube/discovery.ts';
import type { Kube } from '../kube/kube.ts';
import { idOf, type KubeObject } from '../kube/object.ts';
import type { PreparedObject } from './outcomes.ts';
import { markAutoscaled, withoutYieldedFields, type YieldTable } from './yielded.ts';

/** What preparing needs. */
export interface PrepareContext {
  kube: Pick<Kube, 'resourceFor'>;
  owner: Owner;
  defaultNamespace: string;
  /** What other controllers own by design; default `wellKnownYields`. */
  yields?: YieldTable;
  /** Fields not to claim, by object id: those another manager keeps setting back. */
  leftOut?: ReadonlyMap<string, readonly FieldPath[]>;
}

/** Prepares every object; problems are recorded on the object, not thrown. */
export async function prepareObjects(
  objects: readonly KubeObject[],
  context: PrepareContext,
): Promise<PreparedObject[]> {
  const definitions = crdScopes(objects);
  const prepared: PreparedObject[] = [];
  const seen = new Set<string>();
  for (const obj of objects) {
    const item = await prepareOne(obj, definitions, context);
    if (seen.has(item.id)) item.problem = 'the object appears more than once in the set';
    seen.add(item.id);
    prepared.push(item);
  }
  markAutoscaled(prepared);
  return prepared;
}

async function prepareOne(
  obj: KubeObject,
  definitions: ReadonlyMap<string, boolean>,
  context: PrepareContext,
): Promise<PreparedObject> {
  const group = groupOf(obj.apiVersion);
  let namespaced: boolean | undefined;
  let definedInSet = false;
  let problem: string | undefined;
  try {
    namespaced = (await context.kube.resourceFor(obj.apiVersion, obj.kind)).namespaced;
  } catch (error) {
    namespaced =
      error instanceof UnknownKindError ? definitions.get(`${group}/${obj.kind}`) : undefined;
    definedInSet = namespaced !== undefined;
    if (namespaced === undefined)
      problem = error instanceof UnknownKindError ? error.why : messageOf(error);
  }
  problem ??= objectOptionsProblem(obj);
  const { namespace: _given, ...metadata } = obj.metadata;
  const namespace = namespaced ? obj.metadata.namespace || context.defaultNamespace : undefined;
  const placed = {
    ...withoutYieldedFields(obj, context.yields),
    metadata: namespace ? { ...metadata, namespace } : metadata,
  };
  const leftOut = context.leftOut?.get(idOf(placed));
  // Ownership marks last: a fight over them never takes them off.
  const object = withOwnership(leftOut ? withoutPaths(placed, leftOut) : placed, context.owner);
  const key = {
    group,
    kind: obj.kind,
    name: obj.metadata.name,
    ...(namespace ? { namespace } : {}),
  };
  return { id: idOf(object), key, object, definedInSet, ...(problem ? { problem } : {}) };
}

/** Namespaces created by the set (objects in them cannot be dry-run before they exist). */
export function namespacesInSet(objects: readonly PreparedObject[]): Set<string> {
  return new Set(
    objects
      .filter((item) => item.key.group === '' && item.key.kind === 'Namespace')
      .map((item) => item.key.name),
  );
}
