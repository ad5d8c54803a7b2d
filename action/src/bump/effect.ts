/**
 * Whether an edit changes what deploys. An entry can be rewritten without any rendered object
 * changing (the value already renders through a base, a nearer entry or a patch decides); such
 * an edit is no change at all (issue: "a value that is already set is success with
 * changed=false and no commit"), so it is put back instead of landed.
 */
import type { BumpTarget } from './plan.ts';

/** One overlay's rendering, as far as this judgement needs it. */
export interface RenderedYaml {
  readonly overlay: string;
  /** Absent when it did not build. */
  readonly yaml?: string;
}

/**
 * The `edited` files whose every overlay renders exactly as before. A file that no overlay's
 * tree holds has no rendering to judge it by and always counts as a change.
 */
export function filesWithoutEffect(
  targets: readonly BumpTarget[],
  edited: readonly string[],
  before: readonly RenderedYaml[],
  after: readonly RenderedYaml[],
): string[] {
  const same = (overlay: string): boolean => {
    const old = before.find((result) => result.overlay === overlay)?.yaml;
    const next = after.find((result) => result.overlay === overlay)?.yaml;
    return old !== undefined && old === next;
  };
  return edited.filter((file) => {
    const overlays = targets.find((target) => target.file === file)?.overlays ?? [];
    return overlays.length > 0 && overlays.every(same);
  });
}
