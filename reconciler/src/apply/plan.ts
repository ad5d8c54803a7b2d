/**
 * Planning one object: read the live object, server-side dry-run the apply, and decide what
 * the real write would be. The dry run is the server's own verdict (validation, defaulting,
 * admission webhooks) on exactly what would be written, so a set with any refusal can be
 * stopped before anything is written.
 *
 * An object that does not exist yet is not dry-run unless `dryRunNew` says so (see `apply.ts`
 * for when): its create is the server's first word on it, one request instead of two.
 */

import { changedPaths } from '@kustodian/shared/apply/compare';
import { applyPolicyOf } from '@kustodian/shared/apply/object-options';
import { messageOf, StepError } from '@kustodian/shared/errors';
import { type Revert, revertsOf } from '../drift/reverts.ts';
import type { Clock } from '../kube/clock.ts';
import { UnknownKindError } from '../kube/discovery.ts';
import { isNotFound } from '../kube/errors.ts';
import type { JsonPatchOperation, Kube } from '../kube/kube.ts';
import { type KubeObject, refOf } from '../kube/object.ts';
import type { Known } from '../kube/read-many.ts';
import { immutableFields } from './immutable.ts';
import type { PreparedObject } from './outcomes.ts';
import { takeOverPatch } from './takeover.ts';
import { withReplicasLeftToAutoscaler } from './yielded.ts';

/** What the write phase will do with an object. */
export type Plan =
  /** `unchecked`: not dry-run; the write itself is the server's first verdict on it. */
  | { action: 'create'; unchecked?: true }
  /** `takeOver`: first move the fields of client-side apply to ours (see `takeover.ts`). */
  /** `reverts`: fields other managers had changed that the write sets back. */
  | { action: 'update'; diff: string[]; takeOver?: JsonPatchOperation[]; reverts?: Revert[] }
  /** Nothing differs; `live` is the object as it is. */
  | { action: 'none'; live: KubeObject }
  | { action: 'recreate'; live: KubeObject; fields: string }
  /** It depends on definitions of the same set (a new CRD's kind, a new Namespace). */
  | { action: 'defer' }
  | { action: 'fail'; error: string };

/** What planning needs. */
export interface PlanContext {
  kube: Pick<Kube, 'get' | 'list' | 'apply' | 'resourceFor'>;
  /** Delete and recreate objects whose immutable fields change. */
  force: boolean;
  /** Namespaces the set creates. */
  namespaces: ReadonlySet<string>;
  /** After the definitions are applied nothing may be deferred; a kind still missing is retried. */
  definitionsApplied: boolean;
  /** Dry-run objects that do not exist yet too (else they are planned `unchecked` creates). */
  dryRunNew: boolean;
  clock: Clock;
  signal?: AbortSignal;
}

/** How long to wait for discovery to serve the kind of a just-established CRD. */
const discoveryRetries = { attempts: 20, intervalMs: 500 };

/**
 * Plans one object; every problem is a `fail` plan, never a throw (except aborts). `known` is
 * its live state when that was read already (see `live.ts`); otherwise it is read here.
 */
export async function planObject(
  item: PreparedObject,
  context: PlanContext,
  known?: Known,
): Promise<Plan> {
  if (item.problem)
    return { action: 'fail', error: new StepError('apply', item.id, item.problem).message };
  if (item.definedInSet && !context.definitionsApplied) return { action: 'defer' };
  let live: KubeObject | undefined;
  try {
    if (item.definedInSet) await waitForKind(item, context);
    const options = context.signal ? { signal: context.signal } : {};
    live = known ? known.live : await context.kube.get(refOf(item.object), options);
    // Created once, then left to whoever changes it.
    if (live && applyPolicyOf(item.object) === 'IfNotPresent') return { action: 'none', live };
    if (!live && !context.dryRunNew) return { action: 'create', unchecked: true };
    if (live && item.autoscaled) item.object = withReplicasLeftToAutoscaler(item.object, live);
    const merged = await context.kube.apply(item.object, { ...options, dryRun: true });
    if (!live) return { action: 'create' };
    const diff = changedPaths(live, merged);
    const takeOver = takeOverPatch(live, item.object.apiVersion);
    if (takeOver) return { action: 'update', diff: [...diff, 'metadata.managedFields'], takeOver };
    if (diff.length === 0) return { action: 'none', live };
    const reverts = revertsOf(live, merged, item.object);
    return reverts.length > 0 ? { action: 'update', diff, reverts } : { action: 'update', diff };
  } catch (error) {
    context.signal?.throwIfAborted();
    return failedPlan(item, live, error, context);
  }
}

/** Dry-runs an `unchecked` create: a checked create, or the server's refusal as a `fail`. */
export async function checkCreate(item: PreparedObject, context: PlanContext): Promise<Plan> {
  try {
    const options = context.signal ? { signal: context.signal } : {};
    await context.kube.apply(item.object, { ...options, dryRun: true });
    return { action: 'create' };
  } catch (error) {
    context.signal?.throwIfAborted();
    return failedPlan(item, undefined, error, context);
  }
}

function failedPlan(
  item: PreparedObject,
  live: KubeObject | undefined,
  error: unknown,
  context: PlanContext,
): Plan {
  const namespace = item.key.namespace;
  if (
    !context.definitionsApplied &&
    !live &&
    isNotFound(error) &&
    namespace &&
    context.namespaces.has(namespace)
  ) {
    return { action: 'defer' };
  }
  const fields = immutableFields(error);
  if (fields !== undefined) {
    if (context.force && live) return { action: 'recreate', live, fields };
    const what = fields === '' ? 'a field is immutable' : `field is immutable: ${fields}`;
    const hint = live ? ' (enable force to delete and recreate the object)' : '';
    return {
      action: 'fail',
      error: new StepError('apply', item.id, `${what}${hint}`, { cause: error }).message,
    };
  }
  return { action: 'fail', error: messageOf(error) };
}

/** Retries discovery for a kind whose CRD was just established (discovery lags a little). */
async function waitForKind(item: PreparedObject, context: PlanContext): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await context.kube.resourceFor(item.object.apiVersion, item.object.kind);
      return;
    } catch (error) {
      if (!(error instanceof UnknownKindError) || attempt >= discoveryRetries.attempts) throw error;
      await context.clock.sleep(discoveryRetries.intervalMs, context.signal);
    }
  }
}
