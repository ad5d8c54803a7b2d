/**
 * Carrying out a bump plan on a checkout: each target file is re-read from the checkout (which
 * may be a newer head than the one planned on), edited through the shared comment-preserving
 * editor, checked for downgrades, and written back only when it changes.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { StepError } from '@kustodian/shared/errors';
import { type ImageChange, setImages } from '@kustodian/shared/images/kustomization';
import { inside, readBoundedFile, realpathOrUndefined } from '@kustodian/shared/kustomize/read';
import { imageFieldLine } from '@kustodian/shared/manifests/field-line';
import type { FileChange } from '../land/types.ts';
import { error, type Problem } from '../validate/problems.ts';
import type { BumpTarget } from './plan.ts';
import { compareVersionTags } from './semver.ts';

/** What applying a plan did. */
export interface AppliedBump {
  /** The files written, with their new content. */
  readonly files: readonly FileChange[];
  /** Per file, what changed in it (unchanged fields included). */
  readonly changes: ReadonlyMap<string, readonly ImageChange[]>;
  /** Downgrades refused and files that could not be edited; nothing was written when present. */
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
  const files: FileChange[] = [];
  const changes = new Map<string, readonly ImageChange[]>();
  for (const target of targets) {
    const text = await readTarget(dir, target.file);
    let edited: ReturnType<typeof setImages>;
    try {
      edited = setImages(text, target.updates, { path: target.file, allowAdd: target.allowAdd });
    } catch (thrown) {
      if (!(thrown instanceof StepError)) throw thrown;
      problems.push(error('bump', thrown.message, { file: target.file }));
      continue;
    }
    changes.set(target.file, edited.changes);
    if (!allowDowngrade) problems.push(...downgrades(target.file, text, edited.changes));
    if (edited.text !== text) files.push({ path: target.file, content: edited.text });
  }
  if (problems.length === 0) {
    for (const file of files) await writeFile(join(dir, file.path), file.content);
  }
  return { files: problems.length === 0 ? files : [], changes, problems };
}

/** Semver tags that would go down, each a problem at the line of the tag in `text`. */
function downgrades(file: string, text: string, changes: readonly ImageChange[]): Problem[] {
  return changes
    .filter(
      (change) => change.field === 'newTag' && change.from !== undefined && change.to !== undefined,
    )
    .filter((change) => compareVersionTags(change.to ?? '', change.from ?? '') === -1)
    .map((change) => {
      const line = imageFieldLine(text, change.name, change.field);
      return error(
        'bump',
        `${file}: refusing to downgrade ${change.name} from ${change.from} to ${change.to}; set allow-downgrade: true to allow it`,
        { file, ...(line === undefined ? {} : { line }) },
      );
    });
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
