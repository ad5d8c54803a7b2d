/**
 * Step 8 of the pipeline: from the overlays' rendered objects and kustomization trees, plan
 * which files receive which image update (see `../bump/plan.ts`).
 */
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import { selectKustomizations } from '../bump/paths.ts';
import { type BumpPlan, type PlannedOverlay, planBump } from '../bump/plan.ts';
import { overlayTree } from '../bump/tree.ts';
import type { ActionInputs } from '../inputs.ts';
import { containerImages, imageName } from '../validate/images.ts';
import type { RenderedOverlay } from '../validate/render.ts';

/** Plans the bump of `inputs.images` over the checkout at `root` (a real path). */
export async function planFromRendered(
  root: string,
  inputs: ActionInputs,
  rendered: readonly RenderedOverlay[],
  objects: ReadonlyMap<string, readonly ParsedObject[]>,
): Promise<BumpPlan> {
  const overlays: PlannedOverlay[] = [];
  for (const result of rendered) {
    const names = new Set<string>();
    for (const parsed of objects.get(result.overlay) ?? []) {
      for (const { image } of containerImages(parsed.object)) names.add(imageName(image));
    }
    overlays.push({
      overlay: result.overlay,
      tree: await overlayTree(root, result.overlay),
      imageNames: names,
    });
  }
  if (inputs.paths.length === 0) return planBump(inputs.images, overlays, undefined);
  const selected = await selectKustomizations(root, inputs.paths);
  const plan = planBump(inputs.images, overlays, selected.files);
  return { ...plan, problems: [...selected.problems, ...plan.problems] };
}
