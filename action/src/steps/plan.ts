/**
 * Step 8 of the pipeline: from the overlays' rendered objects and kustomization trees, plan
 * which files receive which image update (see `../bump/plan.ts`). Landing plans again the same
 * way on every newer head it builds on (`planOnHead`), so a retry never replays an old plan.
 */
import { StepError } from '@kustodian/shared/errors';
import { checkImageReference } from '@kustodian/shared/images/reference';
import { findOverlays, negation, selectedBy } from '@kustodian/shared/kustomize/discover';
import type { ParsedObject } from '@kustodian/shared/manifests/parse';
import type { RenderedImage } from '../bump/deployed.ts';
import { selectKustomizations } from '../bump/paths.ts';
import { type BumpPlan, type PlannedOverlay, planBump } from '../bump/plan.ts';
import { overlayTree } from '../bump/tree.ts';
import type { ActionInputs } from '../inputs.ts';
import { containerImages, imageName } from '../validate/images.ts';
import { parseOutput } from '../validate/parsed.ts';
import { errorsOf, type Problem } from '../validate/problems.ts';
import { type RenderedOverlay, type RenderOptions, renderOverlays } from '../validate/render.ts';
import { type EarlierHead, reusable } from './reuse.ts';

/** Plans the bump of `inputs.images` over the checkout at `root` (a real path). */
export async function planFromRendered(
  root: string,
  inputs: ActionInputs,
  rendered: readonly RenderedOverlay[],
  objects: ReadonlyMap<string, readonly ParsedObject[]>,
): Promise<BumpPlan> {
  const overlays: PlannedOverlay[] = [];
  for (const result of rendered) {
    const images = (objects.get(result.overlay) ?? []).flatMap((parsed) =>
      containerImages(parsed.object).map(({ image }) => renderedImage(image)),
    );
    overlays.push({
      overlay: result.overlay,
      tree: await overlayTree(root, result.overlay),
      images,
    });
  }
  if (inputs.paths.length === 0) return planBump(inputs.images, overlays, undefined);
  if (inputs.paths.every((pattern) => negation(pattern).negate)) {
    // Exclusions only: the default choice, among the kustomizations not excluded.
    const allowed = overlays.map((overlay) => ({
      ...overlay,
      tree: overlay.tree.filter((node) => selectedBy(inputs.paths, node.dir)),
    }));
    return planBump(inputs.images, allowed, undefined);
  }
  const selected = await selectKustomizations(root, inputs.paths);
  const plan = planBump(inputs.images, overlays, selected.files);
  return { ...plan, problems: [...selected.problems, ...plan.problems] };
}

/** A head's overlays as built, and the bump planned on them. */
export interface PlannedHead {
  readonly overlays: readonly string[];
  readonly rendered: readonly RenderedOverlay[];
  readonly plan: BumpPlan;
  /** Whether only the overlays the changed kustomization files reach were built again. */
  readonly reused: boolean;
}

/** A head planned on before, and the paths that changed since. */
export interface SinceEarlier {
  readonly head: EarlierHead;
  readonly changed: readonly string[];
}

/**
 * Discovers, builds and plans on the checkout at `options.root` (a head other than the one
 * cloned). With `earlier`, overlays the changes since cannot reach keep their earlier build
 * (see `reuse.ts`). Its build failures and planning errors go to `problems` and end landing
 * with a `StepError`: nothing lands on a head whose overlays do not build.
 */
export async function planOnHead(
  inputs: ActionInputs,
  options: RenderOptions,
  head: string,
  problems: Problem[],
  earlier?: SinceEarlier,
): Promise<PlannedHead> {
  const object = `the branch head ${head.slice(0, 12)}`;
  const overlays = await findOverlays(options.root, { include: inputs.overlays });
  if (overlays.length === 0) throw new StepError('discover', object, 'no overlay found');
  const reuse =
    earlier === undefined
      ? undefined
      : await reusable(options.root, earlier.head, overlays, earlier.changed);
  const built = await renderOverlays(reuse?.rebuild ?? overlays, options);
  const rendered = overlays.map(
    (overlay) =>
      built.find((result) => result.overlay === overlay) ??
      reuse?.kept.find((result) => result.overlay === overlay) ??
      missing(overlay),
  );
  const broken = errorsOf(rendered.flatMap((result) => result.problems));
  if (broken.length > 0) {
    problems.push(...broken);
    throw new StepError(
      'build',
      object,
      `${broken.length} overlay problems (listed); nothing landed`,
    );
  }
  const plan = await planFromRendered(options.root, inputs, rendered, objectsOf(rendered));
  const errors = errorsOf(plan.problems);
  if (errors.length > 0) {
    problems.push(...errors);
    throw new StepError('bump', object, `cannot plan the bump (listed); nothing landed`);
  }
  return { overlays, rendered, plan, reused: reuse !== undefined };
}

function missing(overlay: string): never {
  throw new StepError('build', overlay, 'neither built again nor kept from the earlier head');
}

/** The objects of each overlay that built and parsed. */
function objectsOf(rendered: readonly RenderedOverlay[]): Map<string, readonly ParsedObject[]> {
  const objects = new Map<string, readonly ParsedObject[]>();
  for (const result of rendered) {
    if (result.yaml === undefined) continue;
    const parsed = result.parsed ?? parseOutput(result.yaml, result.overlay);
    if ('objects' in parsed) objects.set(result.overlay, parsed.objects);
  }
  return objects;
}

/** A container's image split into name, tag and digest (the name alone when it does not parse). */
function renderedImage(image: string): RenderedImage {
  const checked = checkImageReference(image);
  return checked.ok ? checked.reference : { name: imageName(image) };
}
