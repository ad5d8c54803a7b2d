/**
 * What applying a set reports: one entry per object, in apply order, with an outcome from a
 * closed set. Failures are entries, not thrown errors.
 */
import type { ObjectKey } from '@kustodian/shared/manifests/object-id';
import type { Revert } from '../drift/reverts.ts';
import type { KubeObject } from '../kube/object.ts';

/**
 * Per-object outcomes: `created` (it did not exist, or was recreated), `configured` (it
 * differed and was patched), `unchanged` (the dry run matched the live object; nothing sent),
 * `failed` (refused by the dry run or the write), `skipped` (not written because something else
 * failed first).
 */
export const applyOutcomes = ['created', 'configured', 'unchanged', 'failed', 'skipped'] as const;
export type ApplyOutcome = (typeof applyOutcomes)[number];

/** What happened to one object. */
export interface ApplyEntry {
  id: string;
  outcome: ApplyOutcome;
  /** For `configured`: the paths that changed (no values, they may be secret). */
  diff?: string[];
  /** For `failed`: what went wrong; for `skipped`: why it was not written. */
  error?: string;
  /** For `created`: the object was deleted and recreated to change an immutable field. */
  recreated?: true;
  /** For `configured`: fields it set back after other managers had changed them. */
  reverted?: Revert[];
}

/** What applying a set did. */
export interface ApplyResult {
  /** One entry per object, in apply order. */
  entries: ApplyEntry[];
  /**
   * The objects as sent (ownership marks set, namespaces filled in), in apply order, for the
   * inventory and drift detection.
   */
  objects: KubeObject[];
  /**
   * Each object as last seen while applying, by id: the server's answer to its write, or the
   * live object when it was left unchanged. Health checks start from these instead of reading
   * every object again.
   */
  observed: ReadonlyMap<string, KubeObject>;
  /** Whether every object is `created`, `configured` or `unchanged`. */
  ok: boolean;
}

/** An object ready to apply: ownership set, namespace fixed, its kind resolved if possible. */
export interface PreparedObject {
  id: string;
  key: ObjectKey;
  object: KubeObject;
  /** Its kind comes from a CRD in the same set (and may not be served yet). */
  definedInSet: boolean;
  /** Why it cannot be applied at all (unknown kind, duplicate), if so. */
  problem?: string;
  /** A HorizontalPodAutoscaler of the same set scales it (see `yielded.ts`). */
  autoscaled?: true;
  /** The digest of `object`, once computed (`applied.ts`). */
  digest?: string;
}
