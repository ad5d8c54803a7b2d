/**
 * Turning planned image edits into text edits on the original source.
 *
 * Block style is edited line by line: a changed value is replaced inside its scalar's range
 * (keeping the quote style and any trailing comment), a removed field loses its own line, an
 * added field gets a new line after its nearest predecessor in kustomize's order, and new
 * entries follow the last one with the file's own indentation. A flow collection that changes
 * (`{name: a, newTag: b}`) is re-rendered from the edited document on one line.
 */
import {
  type Document,
  isCollection,
  isScalar,
  isSeq,
  type Node,
  type Pair,
  type YAMLMap,
} from 'yaml';
import type { EntryPlan, FieldEdit, KustomizationFile } from './kustomization-doc.ts';
import {
  columnOf,
  contentEnd,
  isEmptyScalar,
  lineEnd,
  lineStart,
  renderFlow,
  renderScalar,
  startsLine,
  type TextEdit,
} from './text-edits.ts';

/** Kustomize's key order within an entry, used to place added keys. */
const KEY_ORDER = ['name', 'newName', 'newTag', 'digest'] as const;

/** The text edits that turn `source` into the text of `edited`. */
export function editsFor(
  source: string,
  file: KustomizationFile,
  edited: Document,
  plans: readonly EntryPlan[],
): TextEdit[] {
  if (file.images?.flow) return [flowEdit(source, file.images, edited.get('images', true))];
  const edits: TextEdit[] = [];
  const added: EntryPlan[] = [];
  for (const plan of plans) {
    const entry = plan.entry;
    if (!entry) added.push(plan);
    else if (entry.map.flow) {
      edits.push(flowEdit(source, entry.map, edited.getIn(['images', entry.index], true)));
    } else edits.push(...blockEntryEdits(source, entry.map, plan.fields));
  }
  if (added.length > 0) edits.push(...appendEdits(source, file, edited, added));
  return edits;
}

/** Replaces a flow collection with its edited rendering, keeping `{ }` padding as written. */
function flowEdit(source: string, original: Node, edited: unknown): TextEdit {
  if (!isCollection(edited))
    throw new Error('a flow collection was not found in the edited document');
  const [start, end] = original.range ?? [0, 0];
  const padded = source[start + 1] === ' ';
  return { start, end, text: renderFlow(edited, padded) };
}

/** Edits for one block-style entry. */
function blockEntryEdits(source: string, map: YAMLMap, fields: readonly FieldEdit[]): TextEdit[] {
  const pairOf = (key: string) => map.items.find((pair) => keyOf(pair) === key);
  const removed = new Set<string>(fields.filter((f) => f.value === undefined).map((f) => f.field));
  const indent = ' '.repeat(columnOf(source, keyStart(map.items[0])));
  const edits: TextEdit[] = [];
  for (const { field, value } of fields) {
    const pair = pairOf(field);
    if (pair && value !== undefined) edits.push(replaceValue(source, pair, value));
    else if (pair) edits.push(removePair(source, map, pair));
    else if (value !== undefined) {
      const before = KEY_ORDER.slice(0, KEY_ORDER.indexOf(field)).toReversed();
      const anchorKey = before.find((key) => pairOf(key) && !removed.has(key)) ?? 'name';
      const at = lineEnd(source, contentEnd(pairOf(anchorKey)));
      edits.push({ start: at, end: at, text: `\n${indent}${field}: ${renderScalar(value)}` });
    }
  }
  return edits;
}

/** New value inside the old scalar's range, in its quoting style. */
function replaceValue(source: string, pair: Pair, value: string): TextEdit {
  const node = pair.value as Node;
  const [start, end] = node.range ?? [0, 0];
  if (!isEmptyScalar(node)) {
    return { start, end, text: renderScalar(value, isScalar(node) ? node.type : undefined) };
  }
  // `key:` or `key: # comment`: the value goes right after the colon.
  const colon = source.indexOf(':', (pair.key as Node).range?.[1] ?? 0) + 1;
  return { start: colon, end: colon, text: ` ${renderScalar(value)}` };
}

/** Removes a key with its value and trailing comment; comment lines above it stay. */
function removePair(source: string, map: YAMLMap, pair: Pair): TextEdit {
  const start = keyStart(pair);
  const end = lineEnd(source, contentEnd(pair));
  if (startsLine(source, start)) {
    // The line goes with the newline before it, so that text inserted at the end of the line
    // above or of this line stays clear of the removal.
    const from = lineStart(source, start);
    return from > 0 ? { start: from - 1, end, text: '' } : { start: 0, end: end + 1, text: '' };
  }
  // The first key of an entry, after `- `: the next key moves up onto the dash line.
  const next = map.items[map.items.indexOf(pair) + 1];
  const nextStart = next ? keyStart(next) : -1;
  if (nextStart > end && /^\s*$/.test(source.slice(end, nextStart))) {
    return { start, end: nextStart, text: '' };
  }
  let from = start;
  while (from > 0 && source[from - 1] === ' ') from--;
  return { start: from, end, text: '' };
}

/** New entries: after the last entry, in a previously empty `images:`, or in a new `images:` at the end of the file. */
function appendEdits(
  source: string,
  file: KustomizationFile,
  edited: Document,
  plans: readonly EntryPlan[],
): TextEdit[] {
  const { root, images, imagesPair } = file;
  if (images) {
    const first = images.items[0] as Node;
    const firstStart = first.range?.[0] ?? 0;
    const dash = dashBefore(source, firstStart);
    const dashColumn = dash === undefined ? 0 : columnOf(source, dash);
    const sameLine =
      dash !== undefined && lineStart(source, dash) === lineStart(source, firstStart);
    const offset = sameLine ? columnOf(source, firstStart) - dashColumn : 2;
    const at = lineEnd(source, contentEnd(images));
    return [{ start: at, end: at, text: blockEntries(plans, dashColumn, offset) }];
  }
  if (root.flow) return [flowEdit(source, root, edited.contents)];
  const keyColumn = columnOf(source, keyStart(root.items[0]));
  const dashColumn = keyColumn + sequenceOffset(source, root);
  const entries = blockEntries(plans, dashColumn, 2);
  if (!imagesPair) {
    // A new key goes at the end of the file, after any trailing comments: right after the last
    // key, it would come between a list and its commented-out items (`components:` followed by
    // `# - ../x`), which a person uncommenting one would then add to `images`.
    const key = `${' '.repeat(keyColumn)}images:${entries}`;
    const at = source.length;
    return [{ start: at, end: at, text: source.endsWith('\n') ? `${key}\n` : `\n${key}` }];
  }
  // `images:` with no value, or `images: ~`: drop the null, then add the entries below.
  const value = imagesPair.value as Node;
  const [start, end] = value.range ?? [0, 0];
  const colon = source.indexOf(':', (imagesPair.key as Node).range?.[1] ?? 0) + 1;
  const at = lineEnd(source, end);
  const cut: TextEdit[] = start < end ? [{ start: colon, end, text: '' }] : [];
  return [...cut, { start: at, end: at, text: entries }];
}

/** New entries in block style, each line preceded by a newline. */
function blockEntries(plans: readonly EntryPlan[], dashColumn: number, offset: number): string {
  const keys = ' '.repeat(dashColumn + offset);
  let text = '';
  for (const { name, fields } of plans) {
    text += `\n${' '.repeat(dashColumn)}-${' '.repeat(offset - 1)}name: ${renderScalar(name)}`;
    for (const { field, value } of fields) {
      if (value !== undefined) text += `\n${keys}${field}: ${renderScalar(value)}`;
    }
  }
  return text;
}

/** How far this file indents `- ` under its key, from its first block sequence; 0 if none. */
function sequenceOffset(source: string, root: YAMLMap): number {
  for (const pair of root.items) {
    const value = pair.value;
    if (!isSeq(value) || value.flow || value.items.length === 0) continue;
    const dash = dashBefore(source, (value.items[0] as Node).range?.[0] ?? 0);
    if (dash !== undefined) return columnOf(source, dash) - columnOf(source, keyStart(pair));
  }
  return 0;
}

/** The `-` that introduces the sequence item starting at `offset`. */
function dashBefore(source: string, offset: number): number | undefined {
  let at = offset - 1;
  while (at >= 0 && /[ \t\n]/.test(source[at] ?? '')) at--;
  return source[at] === '-' ? at : undefined;
}

function keyOf(pair: Pair): unknown {
  const key = pair.key as { value?: unknown } | null;
  return key?.value;
}

function keyStart(pair: Pair | undefined): number {
  return (pair?.key as Node | undefined)?.range?.[0] ?? 0;
}
