/**
 * What a rollback changes, computed from two listings of the Application's path: the files of
 * the branch head and those of the revision rolled back to. Every file of the revision whose
 * content differs (or that the head lacks) is written back, every file the revision lacks is
 * removed, so that afterwards the path holds exactly the revision's files.
 */

/** One file of a listing (`git ls-tree -r`): its path from the repository root, mode and blob. */
export interface TreeEntry {
  readonly path: string;
  readonly mode: string;
  readonly blob: string;
}

/** How one file changes: the closed vocabulary the output shows. */
export const restoreKinds = ['modified', 'added', 'deleted'] as const;
export type RestoreKind = (typeof restoreKinds)[number];

/** One file the rollback changes. */
export interface RestoreStep {
  readonly path: string;
  readonly kind: RestoreKind;
  /** The revision's blob to write (absent for `deleted`). */
  readonly blob?: string;
}

/** Regular files, which a commit can carry as content; links and submodules cannot be restored. */
const regularModes = new Set(['100644', '100755']);

/** The steps, sorted by path; `unsupported` lists the paths a rollback cannot restore. */
export interface RestorePlan {
  readonly steps: readonly RestoreStep[];
  readonly unsupported: readonly string[];
}

/**
 * The steps that turn the head's files into the revision's. Files are compared by blob (their
 * content); a change of the executable bit alone is no change, as the API modes cannot carry it.
 */
export function restorePlan(head: readonly TreeEntry[], target: readonly TreeEntry[]): RestorePlan {
  const now = new Map(head.map((entry) => [entry.path, entry]));
  const wanted = new Map(target.map((entry) => [entry.path, entry]));
  const steps: RestoreStep[] = [];
  const unsupported: string[] = [];
  for (const entry of target) {
    const current = now.get(entry.path);
    if (current?.blob === entry.blob) continue;
    if (!regularModes.has(entry.mode) || (current && !regularModes.has(current.mode))) {
      unsupported.push(entry.path);
      continue;
    }
    steps.push({ path: entry.path, kind: current ? 'modified' : 'added', blob: entry.blob });
  }
  for (const entry of head) {
    if (wanted.has(entry.path)) continue;
    if (!regularModes.has(entry.mode)) unsupported.push(entry.path);
    else steps.push({ path: entry.path, kind: 'deleted' });
  }
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return { steps: steps.sort(byPath), unsupported: unsupported.sort() };
}
