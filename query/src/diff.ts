/**
 * What a sync would change, object by object: the pure part of `kustodian diff`. The inputs are
 * what the reconciler itself compares (see `reconciler/src/apply/plan.ts`): the live object and
 * the server's dry-run result of applying the rendered one. Both are cut to the part an apply
 * can change (`comparable`: no managedFields, resourceVersion, uid, generation, creation time
 * or status), so a server default or a controller's status never shows as a change.
 *
 * Secret values never appear: in a Secret's `data` and `stringData` each value is `***`, and a
 * changed one `*** (before)` / `*** (after)`, as `kubectl diff` writes them.
 */
import { changedPaths, comparable } from '@kustodian/shared/apply/compare';
import type { AppliedObject } from '@kustodian/shared/apply/object';
import { isRecord } from '@kustodian/shared/apply/object';
import { parseObjectId } from '@kustodian/shared/manifests/object-id';
import { stringify } from 'yaml';
import { unifiedDiff } from './line-diff.ts';

/**
 * What a sync would do to one object: `failed` when its dry run was refused; `drift` when it
 * differs but the sync leaves it as it is (selfHeal off, and the revision applied already).
 */
export const diffActions = ['create', 'update', 'prune', 'unchanged', 'drift', 'failed'] as const;
export type DiffAction = (typeof diffActions)[number];

/** One object of a diff. */
export interface ObjectDiff {
  /** `group/Kind/namespace/name`, as the inventory writes it. */
  id: string;
  kind: string;
  namespace?: string;
  name: string;
  action: DiffAction;
  /** The changed fields (`spec.replicas`, `data[app.properties]`); every field of a creation. */
  paths: string[];
  /** A unified diff of the YAML, live (`---`) to after the sync (`+++`); empty when unchanged. */
  diff: string;
  /** Why it failed, or a note (such as "not dry-run: its Namespace is created by the sync"). */
  message?: string;
}

/** Counts by action. */
export type DiffSummary = Record<DiffAction, number>;

/** What {@link objectDiff} compares. */
export interface DiffInput {
  id: string;
  /** The live object; absent when it does not exist. */
  live?: AppliedObject | undefined;
  /** The dry-run result, or the rendered object when it could not be dry-run (see `note`). */
  after: AppliedObject;
  note?: string;
}

/** The change of one applied object: created, updated (with its fields) or unchanged. */
export function objectDiff(input: DiffInput): ObjectDiff {
  const base = { ...keyOf(input.id), ...(input.note ? { message: input.note } : {}) };
  if (!input.live) {
    const [, after] = masked(undefined, input.after);
    return {
      ...base,
      action: 'create',
      // Against an empty object: the top-level fields it is created with.
      paths: changedPaths(emptyLike(input.after), input.after, Infinity),
      diff: unifiedDiff('', yaml(after), '/dev/null', `sync/${input.id}`),
    };
  }
  const paths = changedPaths(input.live, input.after, Infinity);
  if (paths.length === 0) return { ...base, action: 'unchanged', paths, diff: '' };
  const [before, after] = masked(input.live, input.after);
  return {
    ...base,
    action: 'update',
    paths,
    diff: unifiedDiff(yaml(before), yaml(after), `live/${input.id}`, `sync/${input.id}`),
  };
}

/** An object of the inventory the sync would delete. */
export function pruneDiff(id: string, live: AppliedObject): ObjectDiff {
  const [before] = masked(live, undefined);
  return {
    ...keyOf(id),
    action: 'prune',
    paths: [],
    diff: unifiedDiff(yaml(before), '', `live/${id}`, '/dev/null'),
  };
}

/** An object whose dry run the API server refused: the sync would fail on it. */
export function failedDiff(id: string, message: string): ObjectDiff {
  return { ...keyOf(id), action: 'failed', paths: [], diff: '', message };
}

/**
 * `diff` as the sync treats it when it leaves drift alone: a creation or an update is `drift`
 * (changed or deleted by hand, left as it is); the rest stays as it is.
 */
export function leftAsIs(diff: ObjectDiff): ObjectDiff {
  if (diff.action !== 'create' && diff.action !== 'update') return diff;
  return {
    ...diff,
    action: 'drift',
    message: 'changed in the cluster and left as it is: selfHeal is off',
  };
}

/** How many objects of each action. */
export function summarize(objects: readonly ObjectDiff[]): DiffSummary {
  const summary = Object.fromEntries(diffActions.map((a) => [a, 0])) as DiffSummary;
  for (const object of objects) summary[object.action]++;
  return summary;
}

/** Whether the sync would change anything (or fail). */
export function hasDifferences(summary: DiffSummary): boolean {
  return summary.create + summary.update + summary.prune + summary.failed > 0;
}

function emptyLike(obj: AppliedObject): AppliedObject {
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: {} as AppliedObject['metadata'] };
}

function keyOf(id: string): Pick<ObjectDiff, 'id' | 'kind' | 'namespace' | 'name'> {
  const key = parseObjectId(id);
  return {
    id,
    kind: key?.kind ?? '',
    ...(key?.namespace ? { namespace: key.namespace } : {}),
    name: key?.name ?? id,
  };
}

/** The YAML of an object, `apiVersion`, `kind` and `metadata` first as manifests write them. */
function yaml(obj: Record<string, unknown> | undefined): string {
  if (!obj) return '';
  const { apiVersion, kind, metadata, ...rest } = obj;
  return stringify({ apiVersion, kind, metadata, ...rest }, { lineWidth: 0 });
}

const secretFields = ['data', 'stringData'] as const;
const lastApplied = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Both sides as compared (see the module comment), with a Secret's values hidden: a value the
 * same on both sides is `***`, a changed one `*** (before)` and `*** (after)`.
 */
function masked(
  live: AppliedObject | undefined,
  after: AppliedObject | undefined,
): [Record<string, unknown> | undefined, Record<string, unknown> | undefined] {
  const a = live ? comparable(live) : undefined;
  const b = after ? comparable(after) : undefined;
  const kind = (live ?? after)?.kind;
  const apiVersion = (live ?? after)?.apiVersion;
  if (kind !== 'Secret' || apiVersion !== 'v1') return [a, b];
  const hide = (
    side: Record<string, unknown> | undefined,
    other: Record<string, unknown> | undefined,
    mark: string,
  ) => {
    if (!side) return side;
    const out: Record<string, unknown> = { ...side };
    for (const field of secretFields) {
      const values = isRecord(side[field]) ? side[field] : undefined;
      if (!values) continue;
      const others = other && isRecord(other[field]) ? other[field] : {};
      out[field] = Object.fromEntries(
        Object.entries(values).map(([key, value]) => [
          key,
          key in others && others[key] !== value ? `*** (${mark})` : '***',
        ]),
      );
    }
    const metadata = isRecord(side.metadata) ? side.metadata : {};
    const annotations = isRecord(metadata.annotations) ? metadata.annotations : undefined;
    if (annotations && lastApplied in annotations)
      out.metadata = { ...metadata, annotations: { ...annotations, [lastApplied]: '***' } };
    return out;
  };
  return [hide(a, b, 'before'), hide(b, a, 'after')];
}
