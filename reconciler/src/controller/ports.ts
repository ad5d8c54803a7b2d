/**
 * What the reconcile pipeline needs from the world, as small interfaces: the source (git), the
 * renderer (kustomize), the engine (the API server) and the other Applications. `wiring.ts`
 * builds the real ones; the pipeline itself never imports a client.
 */

import type { ApplicationSpec } from '@kustodian/shared/config/application';
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import type { Application, InventoryEntry } from '../api/application.ts';
import type { DriftConflict } from '../drift/conflicts.ts';
import type { KubeObject } from '../kube/object.ts';
import type { HealthVerdict } from '../status/conditions.ts';

/** The Application being reconciled, with its parsed spec. */
export interface AppContext {
  readonly key: string;
  readonly namespace: string;
  readonly name: string;
  readonly spec: ApplicationSpec;
  readonly app: Application;
}

/** A checkout of one exact commit, shared by every Application on that revision. */
export interface SourceCheckout {
  readonly dir: string;
  readonly commit: string;
  /** `<ref>@sha1:<commit>`, as status shows it. */
  readonly revision: string;
  /** Trailers of the commit message that trace it to its source (`Kustodian-Source-*`). */
  readonly trailers: Readonly<Record<string, string>>;
  /** The commit's committer time, RFC 3339 in UTC; absent when git gave none. */
  readonly committedAt?: string;
}

/** Git, as the pipeline sees it. Errors are `SourceError`s (see `source/failure.ts`). */
export interface SourcePort {
  /** The commit the ref points at now: a cheap remote check, no fetch. */
  resolve(app: AppContext, signal: AbortSignal): Promise<string>;
  /** A checkout of `commit`, fetched at most once per repository and revision. */
  checkout(app: AppContext, commit: string, signal: AbortSignal): Promise<SourceCheckout>;
}

/** Kustomize (or plain YAML), as the pipeline sees it. Throws `StepError`s. */
export interface RenderPort {
  render(dir: string, app: AppContext, signal: AbortSignal): Promise<readonly ParsedObject[]>;
}

/** Per-object outcomes of applying a set; only the counts and failures matter to the pipeline. */
export interface ApplyReport {
  readonly created: number;
  readonly configured: number;
  readonly unchanged: number;
  /**
   * `<id>: <message>` for each object whose dry run or write failed (nothing was written when
   * any dry run failed). Only these: the objects left unwritten because of them are `skipped`.
   */
  readonly failures: readonly string[];
  /** How many objects were not written because something else failed first. */
  readonly skipped: number;
  /**
   * Why objects were skipped when none failed (a stage that did not become ready in time);
   * absent when the apply succeeded or `failures` says why.
   */
  readonly blocked?: string;
  /** What was applied, in apply order, for the inventory. */
  readonly inventory: readonly InventoryEntry[];
  /**
   * Ids of the objects applied with `kustodian.dev/apply: IfNotPresent`: created once and then
   * left to others, so drift watching only watches them for deletion.
   */
  readonly ifNotPresent?: readonly string[];
  /** Each object as last seen while applying, by id, for the first health check. */
  readonly observed?: ReadonlyMap<string, KubeObject>;
  /** From `compare` only: `<id>: <what differs>` for each object left as it is. */
  readonly drifted?: readonly string[];
  /** Fields it set back after other managers had changed them, one per object and manager. */
  readonly reverted?: readonly DriftConflict[];
}

/** Outcomes of pruning. */
export interface PruneReport {
  readonly deleted: readonly InventoryEntry[];
  /** Objects that no longer carry our ownership: left alone and dropped from the inventory. */
  readonly skipped: readonly InventoryEntry[];
  /** Objects whose delete failed: kept in the inventory, retried next time. */
  readonly failed: readonly { entry: InventoryEntry; message: string }[];
}

/** Health of the applied objects. */
export interface HealthReport extends HealthVerdict {
  readonly counts: Readonly<Record<string, number>>;
}

/** The API server, as the pipeline sees it, for one Application. */
export interface EnginePort {
  /**
   * Applies the set; rejects only when `signal` aborts. `onWritten` hears of each object as it
   * is written (or may have been, when the abort cut its write short), so that even an apply
   * that fails or is aborted half-way tells what it left in the cluster. The fields of
   * `conflicts` are left out: they are not claimed, so not set back.
   */
  apply(
    objects: readonly ParsedObject[],
    app: AppContext,
    signal: AbortSignal,
    onWritten?: (entry: InventoryEntry) => void,
    conflicts?: readonly DriftConflict[],
  ): Promise<ApplyReport>;
  /**
   * Dry-runs the set as `apply` would and writes nothing: objects that differ come back as
   * `drifted`, none as created or configured (`selfHeal: false`). Absent: always apply.
   */
  compare?(
    objects: readonly ParsedObject[],
    app: AppContext,
    signal: AbortSignal,
  ): Promise<ApplyReport>;
  /** Objects in `stale` (previous inventory minus current) that still carry our ownership. */
  prune(
    stale: readonly InventoryEntry[],
    app: AppContext,
    signal: AbortSignal,
  ): Promise<PruneReport>;
  /**
   * Waits until every object is healthy, any fails, `timeoutMs` passes or `signal` aborts.
   * `observed` objects (just applied) are assessed as they are before anything is read again.
   */
  health(
    entries: readonly InventoryEntry[],
    app: AppContext,
    wait: boolean,
    signal: AbortSignal,
    observed?: ReadonlyMap<string, KubeObject>,
  ): Promise<HealthReport>;
}

/** The other Applications, for `dependsOn`. */
export interface ApplicationLookup {
  get(namespace: string, name: string): Application | undefined;
}
