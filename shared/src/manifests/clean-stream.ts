/**
 * The fast way through a YAML stream with nothing wrong in it, such as kustomize's output.
 *
 * js-yaml's event parser reads YAML 1.2 core scalars as `yaml` does and is several times
 * faster, but it cannot say everything that is wrong with a stream, nor where. So this reader
 * only answers for a stream that is clean in every respect the careful reader checks (no
 * syntax error, alias, tag or anchor on a document, `kind: List`, over-deep nesting, malformed
 * header or duplicate id, and within the limits); for anything else it answers `undefined`,
 * and the careful reader in `parse.ts` reports each problem with its line.
 *
 * Before js-yaml, the reader of `block-stream.ts` tries the block style kustomize writes, which
 * it reads several times faster again; it declines anything else.
 */
import { constructFromEvents, EVENT_ID, type Event, parseEvents } from 'js-yaml';
import { readBlockStream } from './block-stream.ts';
import { findTooDeep } from './depth.ts';
import { findDuplicates } from './location.ts';
import { objectId, refOf } from './object-id.ts';
import type { ParsedObject, ParseLimits } from './parse.ts';
import { acceptedHeader, type KubeObject, objectHeaderSchema } from './schema.ts';

/** The objects of `text`, or `undefined` when it needs the careful reader. */
export function readCleanStream(
  text: string,
  source: string,
  bounds: ParseLimits,
): ParsedObject[] | undefined {
  // The block reader declines whatever nests near the limit, so only js-yaml's values are walked.
  const block = readBlockStream(text, bounds.maxDepth);
  const documents =
    block === undefined ? readEvents(text, bounds.maxDepth) : { ...block, walk: false };
  if (documents === undefined) return undefined;
  const { values, lines, walk } = documents;
  if (values.length > bounds.maxDocuments) return undefined;
  const objects: ParsedObject[] = [];
  for (const [index, value] of values.entries()) {
    if (value === null || value === undefined) continue;
    const line = lines[index];
    if (line === undefined || line < 0 || !isRecord(value) || value.kind === 'List')
      return undefined;
    if (walk && findTooDeep(value, bounds.maxDepth) !== undefined) return undefined;
    const object = acceptedHeader(value) ?? zodHeader(value);
    if (object === undefined) return undefined;
    const ref = refOf(object);
    const location = { source, document: index + 1, line };
    objects.push({ id: objectId(ref), ref, object, location });
  }
  if (objects.length > bounds.maxDocuments) return undefined;
  if (findDuplicates(objects).length > 0) return undefined;
  return objects;
}

/** The header as zod reads it, for the values `acceptedHeader` leaves to zod. */
function zodHeader(value: unknown): KubeObject | undefined {
  const header = objectHeaderSchema.safeParse(value);
  return header.success ? header.data : undefined;
}

/** js-yaml's values of the documents and the line of each root; `undefined` on any problem. */
function readEvents(
  text: string,
  maxDepth: number,
): { values: unknown[]; lines: number[]; walk: boolean } | undefined {
  let events: Event[];
  let values: unknown[];
  try {
    events = parseEvents(text, { maxDepth: maxDepth + 1 });
    values = constructFromEvents(events, { source: text, maxAliases: 0 });
  } catch {
    return undefined;
  }
  const roots = documentRoots(events);
  if (roots === undefined || roots.length !== values.length) return undefined;
  const lineOf = lineCounter(text);
  return { values, lines: roots.map((start) => (start < 0 ? -1 : lineOf(start))), walk: true };
}

/**
 * The offset where each document's root node starts: a mapping's first key, as `yaml` places
 * it; `-1` for a root that is not a mapping. `undefined` when a root carries an anchor or a
 * tag, whose placement the careful reader owns.
 */
function documentRoots(events: readonly Event[]): number[] | undefined {
  const roots: number[] = [];
  for (let index = 0; index < events.length; index++) {
    if (events[index]?.type !== EVENT_ID.DOCUMENT) continue;
    const root = events[index + 1];
    if (root === undefined || root.type === EVENT_ID.POP) {
      roots.push(-1);
      continue;
    }
    if (root.type === EVENT_ID.DOCUMENT || root.type === EVENT_ID.ALIAS) return undefined;
    if (root.anchorStart !== -1 || root.tagStart !== -1) return undefined;
    roots.push(root.type === EVENT_ID.MAPPING ? root.start : -1);
  }
  return roots;
}

/** 1-based line of an offset; offsets are asked for in increasing order. */
function lineCounter(text: string): (offset: number) => number {
  let line = 1;
  let scanned = 0;
  return (offset) => {
    let at = text.indexOf('\n', scanned);
    while (at !== -1 && at < offset) {
      line++;
      scanned = at + 1;
      at = text.indexOf('\n', scanned);
    }
    return line;
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
