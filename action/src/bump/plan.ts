/**
 * Planning a bump, purely: which kustomization files receive which image updates, judged on
 * what each overlay renders today (see `deployed.ts`).
 *
 * By default an update goes to every overlay whose rendered output runs that image: in each,
 * the nearest kustomization of its tree with an `images:` entry for it (by `name`, or by the
 * `newName` the output shows; so a shared base is edited once), or else the overlay's own
 * kustomization, which gets a new entry. The `paths` input overrides the choice with explicit
 * kustomization directories: one gets a new entry only when an overlay that runs the image
 * renders it through that file; elsewhere only an existing entry is edited.
 *
 * An overlay that already deploys what the update asks for is left alone, so a value that is
 * already set is not written again. An update that no overlay runs fails: it would change
 * nothing that deploys.
 */
import type { ImageUpdate } from '@kustodian/shared/images/update';
import { compareText } from '@kustodian/shared/manifests/object-id';
import { error, type Problem } from '../validate/problems.ts';
import {
  allAsWanted,
  type Deployed,
  deployedAs,
  entryFor,
  holderIndex,
  type PlannedOverlay,
  renderedName,
  runs,
} from './deployed.ts';

export type { PlannedOverlay } from './deployed.ts';

/**
 * How an update meets a file: `update` an entry the file has (its absence when applied is a
 * failure: the plan no longer fits the file), `add` one when it has none, or `update-if-present`
 * (`paths` files that no overlay running the image renders through: never a new entry there).
 */
export const entryEditModes = ['update', 'add', 'update-if-present'] as const;
export type EntryEditMode = (typeof entryEditModes)[number];

/** One update of one file. */
export interface TargetEdit {
  /** The update as the file's entry names it (`name` is the entry's `name`). */
  readonly update: ImageUpdate;
  /** The image as the `images` input names it. */
  readonly image: string;
  readonly mode: EntryEditMode;
  /** What the overlays this edit reaches deploy today; empty when none is known. */
  readonly deployed: readonly Deployed[];
}

/** One file to edit. */
export interface BumpTarget {
  /** The kustomization file, relative to the repository root. */
  readonly file: string;
  readonly edits: readonly TargetEdit[];
  /** The overlays whose tree holds the file, sorted: those its edit can change. */
  readonly overlays: readonly string[];
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
  const byFile = new Map<string, TargetEdit[]>();
  for (const update of updates) {
    const users = overlays.filter((overlay) => runs(overlay, update.name));
    if (users.length === 0) {
      const checked = overlays.map((overlay) => overlay.overlay).join(', ') || 'none';
      const message = `images: "${update.name}" matches no container in the rendered output of any overlay (checked: ${checked}); check the image name as written in the manifests`;
      problems.push(error('image', message));
      continue;
    }
    const edits =
      explicitFiles === undefined
        ? users.flatMap((overlay) => nearestEdit(overlay, update))
        : explicitFiles.flatMap((file) => explicitEdit(file, users, overlays, update));
    for (const { file, edit } of edits) byFile.set(file, merged(byFile.get(file) ?? [], edit));
  }
  const holders = (file: string): string[] =>
    overlays
      .filter((overlay) => overlay.tree.some((node) => node.file === file))
      .map((overlay) => overlay.overlay)
      .sort(compareText);
  const targets = [...byFile]
    .map(([file, edits]) => ({ file, edits, overlays: holders(file) }))
    .sort((a, b) => compareText(a.file, b.file));
  const affectedOverlays = [...new Set(targets.flatMap((target) => target.overlays))].sort(
    compareText,
  );
  return { targets, affectedOverlays, problems };
}

interface FileEdit {
  readonly file: string;
  readonly edit: TargetEdit;
}

/** The default: the nearest entry of the overlay's tree, else a new one in its own file. */
function nearestEdit(overlay: PlannedOverlay, update: ImageUpdate): FileEdit[] {
  const index = holderIndex(overlay.tree, update.name);
  const node = overlay.tree[Math.max(index, 0)];
  // A new entry goes only into the overlay's own kustomization (absent when `paths` excludes it).
  if (node === undefined || (index < 0 && node.dir !== overlay.overlay)) return [];
  const entry = index < 0 ? undefined : entryFor(node, update.name);
  const deployed = deployedAs(overlay, renderedName(update.name, entry));
  if (allAsWanted(deployed, update)) return [];
  return [{ file: node.file, edit: editOf(update, entry, entry ? 'update' : 'add', deployed) }];
}

/** A `paths` file: what the overlays that render the image through it deploy. */
function explicitEdit(
  file: string,
  users: readonly PlannedOverlay[],
  overlays: readonly PlannedOverlay[],
  update: ImageUpdate,
): FileEdit[] {
  const node = overlays.flatMap((overlay) => overlay.tree).find((each) => each.file === file);
  const entry = node === undefined ? undefined : entryFor(node, update.name);
  const reached = users.flatMap((overlay) => reachedThrough(file, overlay, update, entry));
  if (reached.length === 0) {
    return [{ file, edit: editOf(update, entry, 'update-if-present', []) }];
  }
  if (reached.every((deployed) => allAsWanted(deployed, update))) return [];
  const mode = entry ? 'update' : 'add';
  return [{ file, edit: editOf(update, entry, mode, reached.flat()) }];
}

/**
 * What `overlay` deploys of the image when `file` is in its tree and an entry there would take
 * effect: no nearer kustomization has an entry for it, and no farther one renames it first.
 */
function reachedThrough(
  file: string,
  overlay: PlannedOverlay,
  update: ImageUpdate,
  entry: ReturnType<typeof entryFor>,
): Deployed[][] {
  const at = overlay.tree.findIndex((node) => node.file === file);
  if (at < 0) return [];
  const index = holderIndex(overlay.tree, update.name);
  if (index >= 0 && index < at) return [];
  const holder = overlay.tree[index];
  const farther = index > at && holder !== undefined ? entryFor(holder, update.name) : undefined;
  if (renderedName(update.name, farther) !== update.name) return [];
  return [deployedAs(overlay, renderedName(update.name, entry))];
}

function editOf(
  update: ImageUpdate,
  entry: ReturnType<typeof entryFor>,
  mode: EntryEditMode,
  deployed: readonly Deployed[],
): TargetEdit {
  return {
    update: { ...update, name: entry?.name ?? update.name },
    image: update.name,
    mode,
    deployed,
  };
}

/** Adds `edit` to a file's edits; two overlays reaching the same entry merge what they deploy. */
function merged(edits: readonly TargetEdit[], edit: TargetEdit): TargetEdit[] {
  const same = edits.find((each) => each.image === edit.image);
  if (same === undefined) return [...edits, edit];
  const mode = same.mode === 'update-if-present' ? edit.mode : same.mode;
  const combined = { ...same, mode, deployed: [...same.deployed, ...edit.deployed] };
  return edits.map((each) => (each === same ? combined : each));
}
