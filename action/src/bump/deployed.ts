/**
 * What an overlay deploys today for an image update, read from its rendered output: which
 * `images:` entry of its tree the update edits (matched by `name`, or by the `newName` it
 * renders as), the name its containers run once that entry applied, the references they run,
 * and whether those already are what the update asks for. The bump is judged on these, not on
 * the entries alone: an image pinned in a base with no entry still has a version that deploys.
 */
import type { ImageUpdate } from '@kustodian/shared/images/update';
import type { ImageEntry, TreeNode } from './tree.ts';

/** One container image as rendered: `name[:tag][@digest]`, split. */
export interface RenderedImage {
  readonly name: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** What the planner knows about one overlay. */
export interface PlannedOverlay {
  readonly overlay: string;
  /** Its kustomizations, nearest first (see `overlayTree`). */
  readonly tree: readonly TreeNode[];
  /** The container images its rendered output runs. */
  readonly images: readonly RenderedImage[];
}

/** An image an overlay deploys today. */
export interface Deployed {
  readonly overlay: string;
  readonly image: RenderedImage;
}

/**
 * The entry of `node` that an update of `name` edits: the one named `name`, else the one that
 * renames another image to `name` (`newName: name`), as the rendered output shows it.
 */
export function entryFor(node: TreeNode, name: string): ImageEntry | undefined {
  return (
    node.images.find((entry) => entry.name === name) ??
    node.images.find((entry) => entry.newName === name)
  );
}

/** The index of the nearest kustomization of `tree` with an entry for `name`; -1 when none. */
export function holderIndex(tree: readonly TreeNode[], name: string): number {
  return tree.findIndex((node) => entryFor(node, name) !== undefined);
}

/** The name containers run for an update of `name` once `entry` (if any) applied. */
export function renderedName(name: string, entry: ImageEntry | undefined): string {
  return entry?.name === name ? (entry.newName ?? name) : name;
}

/** The images `overlay` deploys under `name`. */
export function deployedAs(overlay: PlannedOverlay, name: string): Deployed[] {
  return overlay.images
    .filter((image) => image.name === name)
    .map((image) => ({ overlay: overlay.overlay, image }));
}

/**
 * Whether the overlay runs the image an update names: a container runs it as written (or as an
 * entry renames it to), or an entry of its tree renames it and a container runs the new name.
 */
export function runs(overlay: PlannedOverlay, name: string): boolean {
  const names = new Set(overlay.images.map((image) => image.name));
  if (names.has(name)) return true;
  return overlay.tree.some((node) =>
    node.images.some((entry) => entry.name === name && names.has(entry.newName ?? name)),
  );
}

/**
 * Whether `image` already is what `update` asks for, with the semantics of the edit: a tag
 * alone drops the digest, a digest alone drops the tag, both set both, a name alone keeps them.
 */
function isAsWanted(image: RenderedImage, update: ImageUpdate): boolean {
  if (update.newName !== undefined && image.name !== update.newName) return false;
  const { newTag, digest } = update;
  if (newTag === undefined && digest === undefined) return true;
  return image.tag === newTag && image.digest === digest;
}

/** Whether every overlay of `deployed` runs the wanted image; `false` when nothing is known. */
export function allAsWanted(deployed: readonly Deployed[], update: ImageUpdate): boolean {
  return deployed.length > 0 && deployed.every((item) => isAsWanted(item.image, update));
}
