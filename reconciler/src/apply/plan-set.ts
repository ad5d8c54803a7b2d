/**
 * Planning the objects of a set, in as few requests as the set allows. An object unchanged since
 * the last apply, as the drift watch sees it, is planned from what the watch saw, with no request
 * at all (`applied.ts`). The live state of the others is read a kind and namespace at a time
 * (`readMany`) before each is dry-run (`plan.ts`). Namespaces are planned first: objects in a
 * Namespace the set creates cannot exist yet, so they are not read at all, and are planned once
 * it exists (they are deferred until then).
 */

import { managedBySelector } from '@kustodian/shared/apply/ownership';
import { mapLimit } from '../kube/each.ts';
import { idOf, refOf } from '../kube/object.ts';
import { type Known, readMany } from '../kube/read-many.ts';
import { type LastApplied, unchangedLive } from './applied.ts';
import type { PreparedObject } from './outcomes.ts';
import { checkCreate, type Plan, type PlanContext, planObject } from './plan.ts';

/** What planning a set needs: the plans so far (filled in here), how to plan, and the bound. */
export interface SetPlanning {
  readonly plans: Map<string, Plan>;
  readonly plan: PlanContext;
  readonly concurrency: number;
  /** What the last apply left, to plan unchanged objects without a request; none: ask. */
  readonly since?: LastApplied;
}

/**
 * Plans every object that can be planned before anything is written; defers the rest: objects
 * in a Namespace the set creates, and bindings to a role the set creates (the API server checks
 * a binding against its role, so its dry run cannot pass before the role exists).
 */
export async function planBeforeWrites(
  ordered: readonly PreparedObject[],
  planning: SetPlanning,
): Promise<void> {
  await planItems(ordered.filter(isNamespace), planning);
  for (const item of ordered) {
    if (!isNamespace(item) && inNewNamespace(item, planning)) {
      planning.plans.set(item.id, { action: 'defer' });
    }
  }
  const unplanned = (item: PreparedObject) => !isNamespace(item) && !planning.plans.has(item.id);
  await planItems(
    ordered.filter((item) => unplanned(item) && isRole(item)),
    planning,
  );
  for (const item of ordered) {
    const role = roleOfBinding(item);
    if (!unplanned(item) || role === undefined) continue;
    const plan = planning.plans.get(role);
    if (plan?.action === 'create' || plan?.action === 'defer') {
      planning.plans.set(item.id, { action: 'defer' });
    }
  }
  await planItems(ordered.filter(unplanned), planning);
}

const rbacGroup = 'rbac.authorization.k8s.io';

function isRole(item: PreparedObject): boolean {
  return (
    item.key.group === rbacGroup && (item.key.kind === 'Role' || item.key.kind === 'ClusterRole')
  );
}

/** The id of the role a RoleBinding or ClusterRoleBinding refers to, if it is one. */
function roleOfBinding(item: PreparedObject): string | undefined {
  if (item.key.group !== rbacGroup) return undefined;
  if (item.key.kind !== 'RoleBinding' && item.key.kind !== 'ClusterRoleBinding') return undefined;
  const roleRef = item.object.roleRef as { kind?: unknown; name?: unknown } | undefined;
  if (typeof roleRef?.name !== 'string') return undefined;
  if (roleRef.kind === 'ClusterRole') {
    return idOf({ apiVersion: `${rbacGroup}/v1`, kind: 'ClusterRole', name: roleRef.name });
  }
  if (roleRef.kind === 'Role' && item.key.kind === 'RoleBinding') {
    const namespace = item.key.namespace;
    return idOf({ apiVersion: `${rbacGroup}/v1`, kind: 'Role', name: roleRef.name, namespace });
  }
  return undefined;
}

/** Reads the live state of `items` and plans each, recording the plans. */
export async function planItems(
  all: readonly PreparedObject[],
  planning: SetPlanning,
): Promise<void> {
  const { plan, concurrency, since } = planning;
  const items: PreparedObject[] = [];
  for (const item of all) {
    const live = since && !item.problem ? unchangedLive(item.id, item, since) : undefined;
    if (live) planning.plans.set(item.id, { action: 'none', live });
    else items.push(item);
  }
  const toRead = items.filter(
    (item) => !item.problem && !inNewNamespace(item, planning) && !waitsForKind(item, planning),
  );
  const known = await readMany(
    toRead.map((item) => refOf(item.object)),
    {
      kube: plan.kube,
      labelSelector: managedBySelector,
      concurrency,
      ...(plan.signal ? { signal: plan.signal } : {}),
    },
  );
  const absent: Known = { live: undefined };
  const planned = await mapLimit(items, concurrency, (item) =>
    planObject(item, plan, inNewNamespace(item, planning) ? absent : known.get(item.id)),
  );
  for (const [index, item] of items.entries()) {
    planning.plans.set(item.id, planned[index] ?? { action: 'defer' });
  }
}

/** Whether any plan changes an object that exists (an update or a recreate). */
export function changesExisting(plans: ReadonlyMap<string, Plan>): boolean {
  return [...plans.values()].some((p) => p.action === 'update' || p.action === 'recreate');
}

/** Dry-runs every `unchecked` create of `items`, recording the checked plans or refusals. */
export async function checkCreates(
  items: readonly PreparedObject[],
  planning: SetPlanning,
): Promise<void> {
  const unchecked = items.filter((item) => {
    const plan = planning.plans.get(item.id);
    return plan?.action === 'create' && plan.unchecked === true;
  });
  const checked = await mapLimit(unchecked, planning.concurrency, (item) =>
    checkCreate(item, planning.plan),
  );
  for (const [index, item] of unchecked.entries()) {
    planning.plans.set(item.id, checked[index] ?? { action: 'defer' });
  }
}

function isNamespace(item: PreparedObject): boolean {
  return item.key.group === '' && item.key.kind === 'Namespace';
}

/** Whether the item is in a Namespace of the set that did not exist when the set was planned. */
function inNewNamespace(item: PreparedObject, planning: SetPlanning): boolean {
  const namespace = item.key.namespace;
  if (namespace === undefined || !planning.plan.namespaces.has(namespace)) return false;
  const id = idOf({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  return planning.plans.get(id)?.action === 'create';
}

/** Whether the item's kind comes from a CRD of the set that is not applied yet. */
function waitsForKind(item: PreparedObject, planning: SetPlanning): boolean {
  return item.definedInSet && !planning.plan.definitionsApplied;
}
