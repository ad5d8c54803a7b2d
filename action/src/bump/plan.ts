/**
 * Planning a bump, purely: which kustomization files receive which image updates.
 *
 * By default an update goes to every overlay whose rendered output runs that image: in each,
 * the nearest kustomization of its tree that already has an `images:` entry for it (so a
 * shared base is edited once), or else the overlay's own kustomization, which gets a new
 * entry. The `paths` input overrides the choice with explicit kustomization directories. An
 * update that no overlay runs fails: it would change nothing that deploys.
 */
import type { ImageUpdate } from '@kustodian/shared/images/update';
import { compareText } from '@kustodian/shared/manifests/object-id';
import { error, type Problem } from '../validate/problems.ts';
import type { TreeNode } from './tree.ts';

/** What the planner knows about one overlay. */
export interface PlannedOverlay {
  readonly overlay: string;
  /** Its kustomizations, nearest first (see `overlayTree`). */
  readonly tree: readonly TreeNode[];
  /** The names (without tag or digest) of the images its rendered output runs. */
  readonly imageNames: ReadonlySet<string>;
}

/** One file to edit. */
export interface BumpTarget {
  /** The kustomization file, relative to the repository root. */
  readonly file: string;
  readonly updates: readonly ImageUpdate[];
  /** Whether an update may add an entry the file does not have yet. */
  readonly allowAdd: boolean;
}

/** The plan: the files to edit, the overlays to rebuild afterwards, and the problems found. */
export interface BumpPlan {
  readonly targets: readonly BumpTarget[];
  /** Overlays whose tree holds a target file, sorted. */
  readonly affectedOverlays: readonly string[];
  readonly problems: readonly Problem[];
}

/** Plans `updates`; `explicitFiles` are the kustomization files the `paths` input selects. */
export function planBump(
  updates: readonly ImageUpdate[],
  overlays: readonly PlannedOverlay[],
  explicitFiles: readonly string[] | undefined,
): BumpPlan {
  const problems: Problem[] = [];
  const byFile = new Map<string, { updates: ImageUpdate[]; allowAdd: boolean }>();
  const add = (file: string, update: ImageUpdate, allowAdd: boolean): void => {
    const entry = byFile.get(file) ?? { updates: [], allowAdd: false };
    if (!entry.updates.includes(update)) entry.updates.push(update);
    entry.allowAdd ||= allowAdd;
    byFile.set(file, entry);
  };
  for (const update of updates) {
    const users = overlays.filter((overlay) => runs(overlay, update.name));
    if (users.length === 0) {
      const checked = overlays.map((overlay) => overlay.overlay).join(', ') || 'none';
      const message = `images: "${update.name}" matches no container in the rendered output of any overlay (checked: ${checked}); check the image name as written in the manifests`;
      problems.push(error('image', message));
      continue;
    }
    if (explicitFiles !== undefined) {
      for (const file of explicitFiles) add(file, update, true);
      continue;
    }
    for (const overlay of users) {
      const holder = overlay.tree.find((node) =>
        node.images.some((entry) => entry.name === update.name),
      );
      const own = overlay.tree[0];
      if (holder !== undefined) add(holder.file, update, false);
      else if (own !== undefined) add(own.file, update, true);
    }
  }
  const targets = [...byFile]
    .map(([file, entry]) => ({ file, ...entry }))
    .sort((a, b) => compareText(a.file, b.file));
  const files = new Set(targets.map((target) => target.file));
  const affectedOverlays = overlays
    .filter((overlay) => overlay.tree.some((node) => files.has(node.file)))
    .map((overlay) => overlay.overlay)
    .sort(compareText);
  return { targets, affectedOverlays, problems };
}

/**
 * Whether the overlay runs image `name`: a container runs it as written, or an `images:` entry
 * of its tree renames it and a container runs the new name.
 */
function runs(overlay: PlannedOverlay, name: string): boolean {
  if (overlay.imageNames.has(name)) return true;
  return overlay.tree.some((node) =>
    node.images.some(
      (entry) => entry.name === name && overlay.imageNames.has(entry.newName ?? name),
    ),
  );
}
