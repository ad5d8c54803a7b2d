/**
 * Carrying out a bump plan on the checkout it was planned on: each target file is read,
 * edited through the shared comment-preserving editor, checked for downgrades (against what
 * the overlays deploy) and for entries the plan expected but the file lacks, and written back
 * only when it changes and no problem was found.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import {
  type ImageChange,
  type ImageEditResult,
  setImages,
} from '@kustodian/shared/images/kustomization';
import { formatImageReference } from '@kustodian/shared/images/reference';
import { inside, readBoundedFile, realpathOrUndefined } from '@kustodian/shared/kustomize/read';
import { imageFieldLine } from '@kustodian/shared/manifests/field-line';
import type { FileWrite } from '../land/types.ts';
import { error, type Problem } from '../validate/problems.ts';
import type { BumpTarget, TargetEdit } from './plan.ts';
import { compareVersionTags } from './semver.ts';

/** What applying a plan did. */
export interface AppliedBump {
  /** The files written, with their new content. */
  readonly files: readonly FileWrite[];
  /** The content each written file had before. */
  readonly previous: ReadonlyMap<string, string>;
  /** Per file, what changed in it (unchanged fields included). */
  readonly changes: ReadonlyMap<string, readonly ImageChange[]>;
  /**
   * Downgrades refused, entries the plan expected and the file no longer has, and files that
   * could not be edited; nothing was written when present.
   */
  readonly problems: readonly Problem[];
}

/**
 * Applies `targets` to the checkout at `dir`. When any problem is found, no file is written.
 * Throws only when a target cannot be read at all.
 */
export async function applyBump(
  dir: string,
  targets: readonly BumpTarget[],
  allowDowngrade: boolean,
): Promise<AppliedBump> {
  const problems: Problem[] = [];
  const files: FileWrite[] = [];
  const previous = new Map<string, string>();
  const changes = new Map<string, readonly ImageChange[]>();
  for (const target of targets) {
    const text = await readTarget(dir, target.file);
    let edited: ImageEditResult;
    try {
      edited = editTarget(text, target);
    } catch (thrown) {
      if (!(thrown instanceof StepError)) throw thrown;
      problems.push(error('bump', thrown.message, { file: target.file }));
      continue;
    }
    changes.set(target.file, edited.changes);
    problems.push(...lostEntries(target, edited.missing));
    if (!allowDowngrade) problems.push(...downgrades(target, text, edited.changes));
    if (edited.text === text) continue;
    files.push({ path: target.file, content: edited.text });
    previous.set(target.file, text);
  }
  if (problems.length > 0) return { files: [], previous: new Map(), changes, problems };
  await writeFiles(dir, files);
  return { files, previous, changes, problems };
}

/** Writes `files` into the checkout at `dir` (also to put back what `applyBump` wrote). */
export async function writeFiles(dir: string, files: readonly FileWrite[]): Promise<void> {
  for (const file of files) await writeFile(join(dir, file.path), file.content);
}

/** The target's edits on `text`: new entries where adding is planned, existing ones elsewhere. */
function editTarget(text: string, target: BumpTarget): ImageEditResult {
  const path = target.file;
  const updates = (adding: boolean) =>
    target.edits.filter((edit) => (edit.mode === 'add') === adding).map((edit) => edit.update);
  const added = setImages(text, updates(true), { path, allowAdd: true });
  const updated = setImages(added.text, updates(false), { path, allowAdd: false });
  return {
    text: updated.text,
    changes: [...added.changes, ...updated.changes],
    missing: updated.missing,
  };
}

/** Entries the plan found in the file and the file no longer has: never silently skipped. */
function lostEntries(target: BumpTarget, missing: readonly string[]): Problem[] {
  return target.edits
    .filter((edit) => edit.mode === 'update' && missing.includes(edit.update.name))
    .map((edit) =>
      error(
        'bump',
        `${target.file}: cannot update image ${edit.image}: the file has no images: entry named "${edit.update.name}" any more; nothing landed`,
        { file: target.file },
      ),
    );
}

/**
 * Semver tags that would go down, each a problem at the line of the tag in `text`. The tag is
 * compared with what the reached overlays deploy under the same name; only when none is known,
 * with the entry's own `newTag`.
 */
function downgrades(target: BumpTarget, text: string, changes: readonly ImageChange[]): Problem[] {
  return target.edits.flatMap((edit) => {
    const to = edit.update.newTag;
    if (to === undefined) return [];
    const entryTag = tagChange(edit, changes)?.from;
    const found = deployedDowngrade(edit, to) ?? entryDowngrade(edit, to, entryTag);
    if (found === undefined) return [];
    const { file } = target;
    const line = imageFieldLine(text, edit.update.name, 'newTag');
    // Where it deploys is said only when the file's own entry does not show that tag.
    const where = found.from === entryTag ? '' : found.where;
    const message = `${file}: refusing to downgrade ${edit.image} from ${found.from} to ${to}${where}; set allow-downgrade: true to allow it`;
    return [error('bump', message, { file, ...(line === undefined ? {} : { line }) })];
  });
}

interface Downgrade {
  readonly from: string;
  /** Where `from` deploys, for the message. */
  readonly where: string;
}

/** The highest deployed tag above `to`, when the overlays' images are known. */
function deployedDowngrade(edit: TargetEdit, to: string): Downgrade | undefined {
  const name = edit.update.newName;
  const higher = edit.deployed
    .filter((item) => name === undefined || item.image.name === name)
    .filter((item) => compareVersionTags(to, item.image.tag ?? '') === -1)
    .sort((a, b) => compareVersionTags(b.image.tag ?? '', a.image.tag ?? '') ?? 0);
  const top = higher[0];
  if (top === undefined) return undefined;
  const from = top.image.tag ?? '';
  const overlays = [
    ...new Set(higher.filter((item) => item.image.tag === from).map((item) => item.overlay)),
  ];
  return {
    from,
    where: ` (${overlays.join(', ')} ${overlays.length === 1 ? 'deploys' : 'deploy'} ${formatImageReference(top.image)})`,
  };
}

/** The entry's own `newTag` above `to`, when no overlay's image is known. */
function entryDowngrade(
  edit: TargetEdit,
  to: string,
  entryTag: string | undefined,
): Downgrade | undefined {
  if (edit.deployed.length > 0 || entryTag === undefined) return undefined;
  return compareVersionTags(to, entryTag) === -1 ? { from: entryTag, where: '' } : undefined;
}

/** What the edit did to the entry's `newTag`. */
function tagChange(edit: TargetEdit, changes: readonly ImageChange[]): ImageChange | undefined {
  return changes.find((each) => each.name === edit.update.name && each.field === 'newTag');
}

/** Reads a target, refusing files that resolve outside the checkout. */
async function readTarget(dir: string, file: string): Promise<string> {
  const root = (await realpathOrUndefined(dir)) ?? dir;
  const real = await realpathOrUndefined(join(root, file));
  if (real === undefined)
    throw new StepError('bump', file, 'the kustomization file no longer exists on the branch head');
  if (!inside(root, real)) throw new StepError('bump', file, 'resolves outside the repository');
  const read = await readBoundedFile(real);
  if (!('text' in read)) throw new StepError('bump', file, `cannot be read: ${read.problem}`);
  return read.text;
}
