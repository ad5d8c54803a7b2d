/**
 * Reading many objects in as few requests as they allow: objects of one kind in one namespace
 * are read with one list (narrowed by a label selector the caller knows they carry), and only
 * those the list did not return are read one by one. Used for the live state of a set before
 * its dry run (a resync reads a whole set with a list per kind and namespace) and for health
 * polls.
 */
import { mapLimit } from './each.ts';
import type { Kube } from './kube.ts';
import { idOf, type KubeObject, type KubeRef } from './object.ts';

/** The live state of one object: the object, or `undefined` when it does not exist. */
export interface Known {
  readonly live: KubeObject | undefined;
}

/** Objects of one kind in one namespace are listed from this many on; fewer are read one by one. */
export const listFromCount = 3;

/** What reading needs. */
export interface ReadManyContext {
  kube: Pick<Kube, 'get' | 'list'>;
  /** The label selector the objects are expected to match (they are read one by one if not). */
  labelSelector: string;
  concurrency: number;
  signal?: AbortSignal;
}

/**
 * The live state of each object, by id. A failed read leaves the object out, so the caller
 * reads it again and reports the failure as that object's own.
 */
export async function readMany(
  refs: readonly KubeRef[],
  context: ReadManyContext,
): Promise<Map<string, Known>> {
  const known = new Map<string, Known>();
  const single: KubeRef[] = [];
  await mapLimit(
    [...groupByKindAndNamespace(refs).values()],
    context.concurrency,
    async (group) => {
      if (group.length < listFromCount) {
        single.push(...group);
        return;
      }
      const listed = await listGroup(group, context);
      for (const ref of group) {
        const live = listed?.get(idOf(ref));
        if (live) known.set(idOf(ref), { live });
        else single.push(ref);
      }
    },
  );
  const options = context.signal ? { signal: context.signal } : {};
  await mapLimit(single, context.concurrency, async (ref) => {
    try {
      known.set(idOf(ref), { live: await context.kube.get(ref, options) });
    } catch {
      context.signal?.throwIfAborted();
    }
  });
  return known;
}

/** The selected objects of a group's kind in its namespace, by id; `undefined` when the list failed. */
async function listGroup(
  group: readonly KubeRef[],
  context: ReadManyContext,
): Promise<Map<string, KubeObject> | undefined> {
  const first = group[0];
  if (!first) return new Map();
  try {
    const list = await context.kube.list(first.apiVersion, first.kind, {
      labelSelector: context.labelSelector,
      ...(first.namespace ? { namespace: first.namespace } : {}),
      ...(context.signal ? { signal: context.signal } : {}),
    });
    return new Map(list.items.map((item) => [idOf(item), item]));
  } catch {
    context.signal?.throwIfAborted();
    return undefined;
  }
}

function groupByKindAndNamespace(refs: readonly KubeRef[]): Map<string, KubeRef[]> {
  const groups = new Map<string, KubeRef[]>();
  for (const ref of refs) {
    const key = `${ref.apiVersion}/${ref.kind}/${ref.namespace ?? ''}`;
    const group = groups.get(key);
    if (group) group.push(ref);
    else groups.set(key, [ref]);
  }
  return groups;
}
