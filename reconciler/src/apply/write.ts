/**
 * Carrying out a plan: the only code in apply that changes the cluster. Creates and updates are
 * one server-side apply each (an update that takes over client-side apply's fields patches
 * `managedFields` first); a recreate deletes the live object (only if its uid is still the
 * one planned with), waits until it is gone, and applies it anew.
 */
import { messageOf, StepError } from '@kustodian/shared/errors';
import type { ChangeFeed } from '../kube/changes.ts';
import type { Clock } from '../kube/clock.ts';
import type { Kube } from '../kube/kube.ts';
import { type KubeObject, metaString, refOf } from '../kube/object.ts';
import type { ApplyEntry, PreparedObject } from './outcomes.ts';
import type { Plan } from './plan.ts';

/** What writing needs. */
export interface WriteContext {
  kube: Pick<Kube, 'get' | 'apply' | 'delete' | 'patch'>;
  clock: Clock;
  /** How long a recreate waits for the old object to go (finalizers may hold it). */
  timeoutMs: number;
  pollIntervalMs: number;
  signal?: AbortSignal;
  /** Receives each object as last seen: the server's answer to a write, or the live object. */
  observed?: Map<string, KubeObject>;
  /** Told of each object written (see `ApplyOptions.onWritten` in `apply.ts`). */
  onWritten?: (object: KubeObject) => void;
  /** Changes to objects as watches see them, for a stage's wait (see `apply.ts`). */
  changes?: ChangeFeed;
}

/** Carries out one plan and reports the entry; failures are entries, aborts are thrown. */
export async function writePlan(
  item: PreparedObject,
  plan: Plan,
  context: WriteContext,
): Promise<ApplyEntry> {
  const options = context.signal ? { signal: context.signal } : {};
  try {
    switch (plan.action) {
      case 'none':
        context.observed?.set(item.id, plan.live);
        return { id: item.id, outcome: 'unchanged' };
      case 'create':
        context.observed?.set(item.id, await context.kube.apply(item.object, options));
        context.onWritten?.(item.object);
        return { id: item.id, outcome: 'created' };
      case 'update':
        if (plan.takeOver) await context.kube.patch(refOf(item.object), plan.takeOver, options);
        context.observed?.set(item.id, await context.kube.apply(item.object, options));
        context.onWritten?.(item.object);
        return {
          id: item.id,
          outcome: 'configured',
          diff: plan.diff,
          ...(plan.reverts ? { reverted: plan.reverts } : {}),
        };
      case 'recreate':
        context.observed?.set(item.id, await recreate(item, plan.live, context));
        context.onWritten?.(item.object);
        return { id: item.id, outcome: 'created', recreated: true };
      case 'fail':
        return { id: item.id, outcome: 'failed', error: plan.error };
      case 'defer':
        return { id: item.id, outcome: 'skipped', error: 'its dry run never ran' };
    }
  } catch (error) {
    // Cut short while its write was on the way: the server may have stored it all the same.
    if (context.signal?.aborted && ['create', 'update', 'recreate'].includes(plan.action)) {
      context.onWritten?.(item.object);
    }
    context.signal?.throwIfAborted();
    return { id: item.id, outcome: 'failed', error: messageOf(error) };
  }
}

async function recreate(
  item: PreparedObject,
  live: KubeObject,
  context: WriteContext,
): Promise<KubeObject> {
  const uid = metaString(live, 'uid');
  const ref = refOf(item.object);
  const options = context.signal ? { signal: context.signal } : {};
  await context.kube.delete(ref, {
    ...options,
    propagation: 'Background',
    ...(uid ? { uid } : {}),
  });
  const deadline = context.clock.now() + context.timeoutMs;
  for (;;) {
    const current = await context.kube.get(ref, options);
    if (!current || metaString(current, 'uid') !== uid) break;
    if (context.clock.now() >= deadline) {
      throw new StepError(
        'apply',
        item.id,
        `deleted to recreate it, but it was still there after ${context.timeoutMs} ms (finalizers?)`,
      );
    }
    await context.clock.sleep(context.pollIntervalMs, context.signal);
  }
  return await context.kube.apply(item.object, options);
}
