/**
 * Fight detection: when another field manager keeps setting back fields the reconciler has just
 * restored, reverting again only starts the next round. A field set of one object reverted
 * {@link defaultConflictPolicy}`.reverts` times within `windowMs`, each time undone by another
 * manager, is a conflict: the reconciler stops claiming those fields until the source revision
 * or the Application's generation changes. Pure state with a clock passed in.
 *
 * The defaults (3 reverts within 10 minutes) sit well above a person's one-off `kubectl edit`
 * (one revert) and well below a controller's steady loop (a revert every resync or faster).
 */
import type { Clock } from '../kube/clock.ts';
import { type FieldPath, formatPath } from './fields.ts';

/** When repeated reverts count as a fight. */
export interface ConflictPolicy {
  /** Reverts of the same fields, each undone by another manager, that make a conflict. */
  reverts: number;
  /** The window they must fall in, in milliseconds. */
  windowMs: number;
}

/** 3 reverts within 10 minutes. */
export const defaultConflictPolicy: ConflictPolicy = { reverts: 3, windowMs: 10 * 60_000 };

/** A fight over fields of one object, no longer claimed. */
export interface DriftConflict {
  /** The object's id, as the inventory has it. */
  object: string;
  /** The other field manager. */
  manager: string;
  /** The fields, sorted (see `fields.ts`; {@link describeConflict} spells them out). */
  fields: FieldPath[];
}

/** `ConfigMap/ns/name: data.mode, set back by manager` as a person reads it. */
export function describeConflict(conflict: DriftConflict): string {
  return `${conflict.object}: ${conflict.fields.map(formatPath).join(', ')}, set back by ${conflict.manager}`;
}

/** How many conflicts a Ready message names before it only counts the rest. */
const namedInMessage = 3;

/** The Ready message's note on fields given up in fights (empty when there are none). */
export function conflictNote(conflicts: readonly DriftConflict[]): string {
  if (conflicts.length === 0) return '';
  const named = conflicts.slice(0, namedInMessage).map(describeConflict).join('; ');
  const more =
    conflicts.length > namedInMessage ? `; and ${conflicts.length - namedInMessage} more` : '';
  return `; not reverting fields that other field managers keep setting back (DriftConflict, tried again on the next revision or spec): ${named}${more}`;
}

/** What the reconciler applied from: a change of either tries the conflicted fields again. */
export interface ConflictEpoch {
  revision: string;
  generation: number;
}

/** Per-Application revert counts and the conflicts they produced. */
export interface ConflictTracker {
  /**
   * Records that the reconciler reverted `fields` of `object` after `manager` set them back.
   * Returns the conflict when this revert makes one (once per conflict), otherwise `undefined`.
   */
  recordRevert(app: string, epoch: ConflictEpoch, change: DriftConflict): DriftConflict | undefined;
  /** The conflicts of `app` in `epoch` (none once the epoch has moved on). */
  conflictsOf(app: string, epoch: ConflictEpoch): DriftConflict[];
  /** Forgets `app` (deleted). */
  forget(app: string): void;
}

interface AppState {
  epoch: string;
  reverts: Map<string, number[]>;
  conflicts: Map<string, DriftConflict>;
}

/** Creates a {@link ConflictTracker}. */
export function createConflictTracker(
  clock: Clock,
  policy: ConflictPolicy = defaultConflictPolicy,
): ConflictTracker {
  const apps = new Map<string, AppState>();
  const stateOf = (app: string, epoch: ConflictEpoch): AppState => {
    const key = `${epoch.revision}\u0000${epoch.generation}`;
    let state = apps.get(app);
    if (!state || state.epoch !== key) {
      state = { epoch: key, reverts: new Map(), conflicts: new Map() };
      apps.set(app, state);
    }
    return state;
  };
  return {
    recordRevert(app, epoch, change) {
      const state = stateOf(app, epoch);
      const fields = [...change.fields].sort();
      const key = `${change.object}\u0000${change.manager}\u0000${fields.join(',')}`;
      if (state.conflicts.has(key)) return undefined;
      const now = clock.now();
      const recent = (state.reverts.get(key) ?? []).filter((at) => now - at < policy.windowMs);
      recent.push(now);
      if (recent.length < policy.reverts) {
        state.reverts.set(key, recent);
        return undefined;
      }
      state.reverts.delete(key);
      const conflict = { object: change.object, manager: change.manager, fields };
      state.conflicts.set(key, conflict);
      return conflict;
    },
    conflictsOf(app, epoch) {
      return [...stateOf(app, epoch).conflicts.values()];
    },
    forget(app) {
      apps.delete(app);
    },
  };
}
