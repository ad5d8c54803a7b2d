/**
 * Splicing edits into YAML source at node ranges, so that every byte outside an edit stays as
 * it was. `yaml`'s `Document#toString()` re-formats the whole file (blank-line runs, comment
 * alignment, sequence indentation, flow padding), so the kustomization editor renders only the
 * new fragments with `yaml` and splices them in here.
 */
import {
  Document,
  isCollection,
  isPair,
  isScalar,
  type Node,
  Scalar,
  type YAMLMap,
  type YAMLSeq,
} from 'yaml';

/** Replace `text.slice(start, end)` by `text`; an insertion has `start === end`. */
export interface TextEdit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Output options that keep rendered fragments on one line and unwrapped. */
const RENDER = { lineWidth: 0, minContentWidth: 0 } as const;

/**
 * Applies non-overlapping edits. Insertions at the same offset land in the order given, before
 * a replacement that starts there.
 * @throws Error when two edits overlap (a bug in the caller, not an input problem).
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const isInsert = (edit: TextEdit) => (edit.start === edit.end ? 0 : 1);
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort(
      (a, b) =>
        a.edit.start - b.edit.start || isInsert(a.edit) - isInsert(b.edit) || a.order - b.order,
    );
  let out = '';
  let at = 0;
  for (const { edit } of ordered) {
    if (edit.start < at) throw new Error(`overlapping edits at offset ${edit.start}`);
    out += source.slice(at, edit.start) + edit.text;
    at = edit.end;
  }
  return out + source.slice(at);
}

/** Offset of the first character of the line holding `offset`. */
export function lineStart(source: string, offset: number): number {
  return source.lastIndexOf('\n', offset - 1) + 1;
}

/**
 * Offset of the `\n` ending the line on which content ending at `offset` sits (or the end of
 * the source). Ranges of block nodes end after their newline, so one newline is stepped back.
 */
export function lineEnd(source: string, offset: number): number {
  const from = offset > 0 && source[offset - 1] === '\n' ? offset - 1 : offset;
  const newline = source.indexOf('\n', from);
  return newline < 0 ? source.length : newline;
}

/** Column of `offset` within its line. */
export function columnOf(source: string, offset: number): number {
  return offset - lineStart(source, offset);
}

/** Whether only spaces and tabs stand between the start of the line and `offset`. */
export function startsLine(source: string, offset: number): boolean {
  return /^[ \t]*$/.test(source.slice(lineStart(source, offset), offset));
}

/** Where a node's own content ends: its last scalar, not the comments or blank lines after it. */
export function contentEnd(node: unknown): number {
  if (isPair(node)) return contentEnd(node.value ?? node.key);
  if (isCollection(node) && !node.flow && node.items.length > 0) {
    return contentEnd(node.items[node.items.length - 1]);
  }
  const range = (node as Node | null)?.range;
  if (!range) throw new Error('a node without a source range cannot be edited in place');
  return range[1];
}

/**
 * Renders a string scalar on one line in `type`'s quoting style. `yaml` quotes a plain value
 * that would read back as something else (`"1.20"`, `"true"`); block styles become plain.
 */
export function renderScalar(value: string, type?: Scalar.Type): string {
  const scalar = new Scalar(value);
  const block = type === Scalar.BLOCK_FOLDED || type === Scalar.BLOCK_LITERAL;
  if (type && !block) scalar.type = type;
  return new Document(scalar).toString(RENDER).replace(/\n$/, '');
}

/**
 * Renders a flow collection on one line, without the anchor, tag and comments that stay in the
 * source around its range. `padded` chooses `{ a: 1 }` over `{a: 1}`, following the original.
 */
export function renderFlow(node: YAMLMap | YAMLSeq, padded: boolean): string {
  const copy = node.clone();
  delete copy.anchor;
  delete copy.tag;
  delete copy.comment;
  delete copy.commentBefore;
  delete copy.spaceBefore;
  const options = { ...RENDER, flowCollectionPadding: padded };
  return new Document(copy).toString(options).replace(/\n$/, '');
}

/** Whether the scalar is written without any value (`key:`), so an edit must add a space. */
export function isEmptyScalar(node: unknown): boolean {
  return isScalar(node) && node.range != null && node.range[0] === node.range[1];
}
