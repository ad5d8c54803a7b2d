/**
 * The kustomization as a `yaml` Document: reading it with the checks an image edit needs, and
 * applying planned field edits to a copy through the Document API.
 */
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  parseAllDocuments,
  parseDocument,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';
import { StepError } from '../errors.ts';
import type { ImageField } from './kustomization.ts';

/** A field's current value. `text` is the written value; `isString` is false for `1.0` or `~`. */
export interface CurrentValue {
  readonly text?: string;
  readonly isString: boolean;
}

/** An existing `images:` entry. */
export interface ImageEntry {
  /** Position in the `images` sequence. */
  readonly index: number;
  readonly map: YAMLMap;
  /** The field's value, `undefined` when the entry has no such key. */
  readonly current: (field: ImageField) => CurrentValue | undefined;
}

/** One field to set (`value`) or remove (`value` undefined). */
export interface FieldEdit {
  readonly field: ImageField;
  readonly value: string | undefined;
}

/** The edits for one image: on an existing entry, or a new entry when `entry` is undefined. */
export interface EntryPlan {
  readonly name: string;
  readonly entry: ImageEntry | undefined;
  readonly fields: readonly FieldEdit[];
}

/** A kustomization read for editing its images. */
export interface KustomizationFile {
  readonly doc: Document.Parsed;
  readonly root: YAMLMap;
  /** The `images` key and its value, when the key is there. */
  readonly imagesPair: Pair | undefined;
  /** The `images` sequence; undefined when the key is missing or has no value. */
  readonly images: YAMLSeq | undefined;
  /** The entry named `name`. @throws StepError when several entries have that name. */
  entry(name: string): ImageEntry | undefined;
}

/**
 * Parses `source` and checks that it is one mapping whose `images`, if any, is a sequence of
 * mappings with a `name`.
 * @throws StepError with step `parse` (invalid YAML) or `edit` (wrong shape), object `path`.
 */
export function readKustomization(source: string, path: string): KustomizationFile {
  const refuse = (message: string) => new StepError('edit', path, message);
  const documents = parseAllDocuments(source);
  if (documents.length > 1) {
    throw refuse(`has ${documents.length} YAML documents; a kustomization is a single mapping`);
  }
  const doc = parseDocument(source);
  const error = doc.errors[0];
  if (error) {
    // yaml's message goes on with a source excerpt; its first line says what and where.
    const [summary] = error.message.split('\n');
    throw new StepError('parse', path, `invalid YAML: ${summary}`, { cause: error });
  }
  const root = doc.contents;
  if (!isMap(root)) throw refuse(`the document is ${describe(root)}; expected a mapping`);
  const imagesPair = root.items.find((pair) => isScalar(pair.key) && pair.key.value === 'images');
  const value = imagesPair?.value;
  const images = isSeq(value) ? value : undefined;
  if (value != null && !images && !(isScalar(value) && value.value === null)) {
    throw refuse(`images is ${describe(value)}; expected a sequence`);
  }
  const indexes = new Map<string, number[]>();
  for (const [index, item] of (images?.items ?? []).entries()) {
    const name = isMap(item) ? item.get('name') : undefined;
    if (!isMap(item))
      throw refuse(`images item ${index + 1} is ${describe(item)}; expected a mapping`);
    if (typeof name !== 'string') throw refuse(`images item ${index + 1} has no name`);
    indexes.set(name, [...(indexes.get(name) ?? []), index]);
  }
  const entry = (name: string): ImageEntry | undefined => {
    const found = indexes.get(name) ?? [];
    if (found.length > 1) {
      const items = found.map((index) => index + 1).join(' and ');
      throw refuse(`images has ${found.length} entries named "${name}" (items ${items})`);
    }
    const index = found[0];
    const map = index === undefined ? undefined : (images?.items[index] as YAMLMap);
    if (index === undefined || !map) return undefined;
    return { index, map, current: (field) => currentValue(map, name, field, refuse) };
  };
  return { doc, root, imagesPair, images, entry };
}

/** Applies the plans to a copy of the document with `setIn`/`deleteIn` and new nodes. */
export function editedDocument(file: KustomizationFile, plans: readonly EntryPlan[]): Document {
  const doc = file.doc.clone();
  const added: unknown[] = [];
  for (const { name, entry, fields } of plans) {
    if (!entry) {
      added.push(
        doc.createNode({ name, ...Object.fromEntries(fields.map((f) => [f.field, f.value])) }),
      );
      continue;
    }
    for (const { field, value } of fields) {
      const at = ['images', entry.index, field];
      if (value === undefined) doc.deleteIn(at);
      else doc.setIn(at, value);
    }
  }
  if (added.length === 0) return doc;
  const images = doc.get('images', true);
  if (isSeq(images)) images.items.push(...added);
  else doc.set('images', doc.createNode(added));
  return doc;
}

function currentValue(
  map: YAMLMap,
  name: string,
  field: ImageField,
  refuse: (message: string) => Error,
): CurrentValue | undefined {
  const pair = map.items.find((item) => isScalar(item.key) && item.key.value === field);
  if (!pair) return undefined;
  const node = pair.value;
  if (node == null) return { isString: false };
  if (!isScalar(node)) {
    throw refuse(
      `images entry "${name}" has a ${field} that is ${describe(node)}; expected a value`,
    );
  }
  if (node.value === null) return { isString: false };
  if (typeof node.value === 'string') return { text: node.value, isString: true };
  return { text: node.source ?? String(node.value), isString: false };
}

function describe(node: unknown): string {
  if (node == null) return 'empty';
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a sequence';
  if (isAlias(node)) return 'an alias';
  return 'a scalar';
}
