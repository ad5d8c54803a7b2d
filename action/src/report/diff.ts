/**
 * The rendered diff: for every overlay the edit changed, kustomize's output before against its
 * output after, as a unified diff. This is what will change in the cluster, which the diff of
 * the kustomization file alone does not show.
 */
import { createTwoFilesPatch } from 'diff';

/** One overlay's rendered output before and after the edit. */
export interface RenderedChange {
  readonly overlay: string;
  readonly before: string;
  readonly after: string;
}

/** One overlay's diff and its size in lines. */
export interface OverlayDiff {
  readonly overlay: string;
  /** The unified diff; empty when the output did not change. */
  readonly patch: string;
  readonly added: number;
  readonly removed: number;
}

/** Diffs each overlay's rendered output, with 3 lines of context. */
export function renderedDiffs(changes: readonly RenderedChange[]): OverlayDiff[] {
  return changes.map(({ overlay, before, after }) => {
    if (before === after) return { overlay, patch: '', added: 0, removed: 0 };
    const patch = createTwoFilesPatch(`a/${overlay}`, `b/${overlay}`, before, after, '', '', {
      context: 3,
    })
      // The "Index:"/"===" header `diff` writes is not part of a unified diff; drop it.
      .replace(/^(?:Index: .*\n)?=+\n/, '');
    let added = 0;
    let removed = 0;
    for (const line of patch.split('\n')) {
      if (line.startsWith('+') && !line.startsWith('+++')) added++;
      else if (line.startsWith('-') && !line.startsWith('---')) removed++;
    }
    return { overlay, patch, added, removed };
  });
}

/** All diffs as one patch file. */
export function joinPatches(diffs: readonly OverlayDiff[]): string {
  return diffs
    .map((diff) => diff.patch)
    .filter((patch) => patch !== '')
    .join('');
}
