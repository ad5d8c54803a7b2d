/**
 * Reading the loosely typed fields of live objects the way kstatus does: numbers that are
 * missing or not integers take a default, conditions are read as `{ type, status, reason,
 * message }`.
 */
import { isRecord, type KubeObject } from '../../kube/object.ts';

/** One entry of `status.conditions`. */
export interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** The value at a dotted path of an object, or `undefined`. */
export function fieldAt(obj: unknown, path: string): unknown {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    if (!isRecord(value)) return undefined;
    value = value[key];
  }
  return value;
}

/** An integer at `path`, or `fallback` when it is missing or not an integer. */
export function intAt(obj: unknown, path: string, fallback: number): number {
  const value = fieldAt(obj, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : fallback;
}

/** A string at `path`, or `''`. */
export function stringAt(obj: unknown, path: string): string {
  const value = fieldAt(obj, path);
  return typeof value === 'string' ? value : '';
}

/** `status.conditions` of an object, skipping malformed entries. */
export function conditionsOf(obj: KubeObject): Condition[] {
  const list = fieldAt(obj, 'status.conditions');
  if (!Array.isArray(list)) return [];
  return list.filter(isRecord).map((c) => ({
    type: typeof c.type === 'string' ? c.type : '',
    status: typeof c.status === 'string' ? c.status : '',
    reason: typeof c.reason === 'string' ? c.reason : '',
    message: typeof c.message === 'string' ? c.message : '',
  }));
}

/** The condition of `type`, if present. */
export function conditionOf(obj: KubeObject, type: string): Condition | undefined {
  return conditionsOf(obj).find((condition) => condition.type === type);
}

/** Whether the condition of `type` has status `status`. */
export function hasCondition(
  obj: KubeObject,
  type: string,
  status: 'True' | 'False' | 'Unknown',
): boolean {
  return conditionOf(obj, type)?.status === status;
}
