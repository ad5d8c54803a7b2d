/**
 * Setting images in a kustomization file the way `kustomize edit set image` does, while keeping
 * every byte that is not edited: comments (Flux setter markers included), blank lines, key
 * order, quoting and indentation.
 *
 * The file is read with `yaml`'s Document API; the updates are applied to a copy of the
 * document (`setIn`, `deleteIn`, new `YAMLSeq`/`YAMLMap` nodes) and rendered fragment by
 * fragment into the original text at node ranges (see `entry-edits.ts`). The result is read
 * back and must equal the edited document, or nothing is returned.
 *
 * Semantics, per entry matched by `name`: a tag sets `newTag` and removes `digest`; a digest
 * sets `digest` and removes `newTag`; both set both; `newName` is set when given. Unlike
 * kustomize, fields an update does not name (`newName` on a tag bump, `tagSuffix`) are kept and
 * entries are not re-sorted.
 */
import { isDeepStrictEqual } from 'node:util';
import { parseDocument } from 'yaml';
import { StepError } from '../errors.ts';
import { editsFor } from './entry-edits.ts';
import {
  type CurrentValue,
  type EntryPlan,
  editedDocument,
  type FieldEdit,
  readKustomization,
} from './kustomization-doc.ts';
import { applyEdits } from './text-edits.ts';
import { type ImageUpdate, imageUpdateProblem } from './update.ts';

/** The `images:` entry fields an update writes, in kustomize's order. */
export const IMAGE_FIELDS = ['newName', 'newTag', 'digest'] as const;
/** One of {@link IMAGE_FIELDS}. */
export type ImageField = (typeof IMAGE_FIELDS)[number];

/** What happened to one field. A removed field is `updated` with no `to`. */
export const IMAGE_CHANGE_OUTCOMES = ['updated', 'added', 'unchanged'] as const;
/** One of {@link IMAGE_CHANGE_OUTCOMES}. */
export type ImageChangeOutcome = (typeof IMAGE_CHANGE_OUTCOMES)[number];

/** One field of one entry: its value before and after, and the outcome. */
export interface ImageChange {
  /** The entry's `name`. */
  readonly name: string;
  readonly field: ImageField;
  /** The value before, absent when the field was not set. */
  readonly from?: string;
  /** The value after, absent when the field was removed. */
  readonly to?: string;
  readonly outcome: ImageChangeOutcome;
}

/** How to edit. */
export interface ImageEditOptions {
  /** The file, as the caller names it in errors. */
  readonly path: string;
  /** Whether an update whose name has no entry appends one (creating `images:` if needed). */
  readonly allowAdd: boolean;
}

/** The new text and what changed. `text` is byte-identical to the input when nothing changed. */
export interface ImageEditResult {
  readonly text: string;
  /** Per update, per field it touches, in update order. */
  readonly changes: readonly ImageChange[];
  /** Names of updates with no entry in the file, left alone because adding was not allowed. */
  readonly missing: readonly string[];
}

/**
 * Applies `updates` to the `images:` list of the kustomization in `text`.
 * @throws StepError (step `edit`, object `options.path`) when the file has several documents,
 *   is not a mapping, has an `images` that is not a sequence of named mappings, has mixed line
 *   endings, or gives an ambiguous or non-scalar target, and for an invalid or repeated update;
 *   step `parse` for invalid YAML.
 */
export function setImages(
  text: string,
  updates: readonly ImageUpdate[],
  options: ImageEditOptions,
): ImageEditResult {
  const crlf = lineEndingOf(text, options.path);
  const source = crlf ? text.replaceAll('\r\n', '\n') : text;
  const file = readKustomization(source, options.path);
  const changes: ImageChange[] = [];
  const missing: string[] = [];
  const plans: EntryPlan[] = [];
  const seen = new Set<string>();
  for (const update of updates) {
    const problem = seen.has(update.name)
      ? `image "${update.name}" is updated twice`
      : imageUpdateProblem(update);
    if (problem) throw new StepError('edit', options.path, problem);
    seen.add(update.name);
    const entry = file.entry(update.name);
    if (!entry && !options.allowAdd) {
      missing.push(update.name);
      continue;
    }
    const fields = planFields(update, entry?.current ?? (() => undefined), changes);
    if (fields.length > 0) plans.push({ name: update.name, entry, fields });
  }
  if (plans.length === 0) return { text, changes, missing };
  const edited = editedDocument(file, plans);
  const result = applyEdits(source, editsFor(source, file, edited, plans));
  checkReadsBack(result, edited.toJS(), options.path);
  return { text: crlf ? result.replaceAll('\n', '\r\n') : result, changes, missing };
}

/** Field edits for one update against current values; records every change, unchanged ones too. */
function planFields(
  update: ImageUpdate,
  current: (field: ImageField) => CurrentValue | undefined,
  changes: ImageChange[],
): FieldEdit[] {
  const wanted: [ImageField, string | undefined][] = [];
  if (update.newName !== undefined) wanted.push(['newName', update.newName]);
  if (update.newTag !== undefined) wanted.push(['newTag', update.newTag]);
  if (update.digest !== undefined) wanted.push(['digest', update.digest]);
  if (update.newTag !== undefined && update.digest === undefined)
    wanted.push(['digest', undefined]);
  if (update.digest !== undefined && update.newTag === undefined)
    wanted.push(['newTag', undefined]);
  const fields: FieldEdit[] = [];
  for (const [field, to] of wanted) {
    const now = current(field);
    const base = {
      name: update.name,
      field,
      ...(now?.text === undefined ? {} : { from: now.text }),
    };
    if (to === undefined) {
      if (now === undefined) continue;
      changes.push({ ...base, outcome: 'updated' });
    } else if (now?.isString && now.text === to) {
      changes.push({ ...base, to, outcome: 'unchanged' });
      continue;
    } else {
      changes.push({ ...base, to, outcome: now === undefined ? 'added' : 'updated' });
    }
    fields.push({ field, value: to });
  }
  return fields;
}

/** `true` for CRLF files; refuses mixed endings, which could not be written back faithfully. */
function lineEndingOf(text: string, path: string): boolean {
  const crlf = text.split('\r\n').length - 1;
  if (crlf === 0) return false;
  const lf = text.split('\n').length - 1;
  if (crlf === lf) return true;
  throw new StepError(
    'edit',
    path,
    `mixed line endings (${crlf} CRLF, ${lf - crlf} LF); convert the file to one style first`,
  );
}

/** The spliced text must read back as exactly the edited document. */
function checkReadsBack(text: string, expected: unknown, path: string): void {
  const reread = parseDocument(text);
  if (reread.errors.length === 0 && isDeepStrictEqual(reread.toJS(), expected)) return;
  throw new StepError('edit', path, 'the edited text does not read back as the intended change');
}
