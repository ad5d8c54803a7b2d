/**
 * A feed of changes to named objects, as watches see them: what a health wait listens to instead
 * of polling (see `health/wait.ts`). The drift hub (`drift/hub.ts`) serves it from the watches it
 * already keeps, one per kind, so following a set opens no connection of its own unless no
 * Application watches its kind yet.
 */
import type { KubeObject, KubeRef } from './object.ts';

/** What a follower is told. */
export interface ChangeListener {
  /** An object followed was added or changed (`object`), or deleted (`undefined`). */
  onObject(id: string, object: KubeObject | undefined): void;
  /** The watch of a kind had to start afresh: changes may have been missed, read again. */
  onMissed(): void;
}

/** Following a set of objects; `stop()` when done. */
export interface Following {
  /**
   * Resolves once every kind followed is watched from a resourceVersion the server gave: a change
   * made after that is told. (A change made before it may not be: read the objects after this.)
   */
  readonly ready: Promise<void>;
  stop(): void;
}

/** Where changes come from. */
export interface ChangeFeed {
  follow(refs: readonly KubeRef[], listener: ChangeListener): Following;
}
