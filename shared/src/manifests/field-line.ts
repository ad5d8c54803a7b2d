/**
 * The line a field is written on in a YAML file, for pointing an annotation or a message at it:
 * `resources[2]` of a kustomization, or the `newTag` of one `images:` entry. Lines are 1-based,
 * as editors and GitHub count them. A map key's line is the key's (`helmCharts:`, not the first
 * chart below it); a sequence item's line is the item's.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';

/** One step of a field path: a map key or a sequence index. */
export type FieldStep = string | number;

/**
 * `patches[0].path` → `['patches', 0, 'path']`; `undefined` when `field` is not written that way
 * (the names the build jail uses for what is not a field, such as `symlink`, still parse, and
 * simply are not found in the file).
 */
export function parseFieldPath(field: string): FieldStep[] | undefined {
  const steps: FieldStep[] = [];
  for (const part of field.split('.')) {
    const match = /^([A-Za-z0-9_-]+)((?:\[\d+\])*)$/.exec(part);
    if (match === null) return undefined;
    steps.push(match[1] ?? '');
    for (const index of (match[2] ?? '').matchAll(/\[(\d+)\]/g)) steps.push(Number(index[1]));
  }
  return steps;
}

/**
 * The line of the field at `path` in the single-document YAML `text`, or `undefined` when the
 * text does not parse, has several documents, or has no such field.
 */
export function fieldLine(text: string, path: readonly FieldStep[]): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0 || path.length === 0) return undefined;
  let node: unknown = doc.contents;
  let start: number | undefined;
  for (const step of path) {
    const found = child(node, step);
    if (found === undefined) return undefined;
    node = found.value;
    start = found.start;
  }
  return start === undefined ? undefined : lineCounter.linePos(start).line;
}

/**
 * The line of `field` in the `images:` entry named `name` of the kustomization `text`, else of
 * the entry itself; `undefined` when there is no single such entry.
 */
export function imageFieldLine(text: string, name: string, field: string): number | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  const images = doc.get('images', true);
  if (!isSeq(images)) return undefined;
  const indexes = images.items.flatMap((item, index) =>
    isMap(item) && item.get('name') === name ? [index] : [],
  );
  const [index] = indexes;
  if (index === undefined || indexes.length > 1) return undefined;
  return fieldLine(text, ['images', index, field]) ?? fieldLine(text, ['images', index]);
}

/** The value at `step` of `node` and where its key (or, in a sequence, the item) starts. */
function child(node: unknown, step: FieldStep): { value: unknown; start?: number } | undefined {
  if (typeof step === 'number') {
    if (!isSeq(node)) return undefined;
    const item = node.items[step];
    return item === undefined ? undefined : { value: item, ...startOf(item) };
  }
  if (!isMap(node)) return undefined;
  const pair = node.items.find(
    (candidate) =>
      isPair(candidate) && isScalar(candidate.key) && String(candidate.key.value) === step,
  );
  if (pair === undefined) return undefined;
  return { value: pair.value, ...startOf(pair.key) };
}

function startOf(node: unknown): { start?: number } {
  const range = (node as Node | null | undefined)?.range;
  return range === undefined || range === null ? {} : { start: range[0] };
}
