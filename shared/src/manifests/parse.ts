/**
 * Parsing a multi-document YAML stream (kustomize output or a plain file) into checked objects,
 * within limits, so untrusted input cannot exhaust memory or the stack: a byte cap, a document
 * cap, yaml's alias cap against "billion laughs" expansion, and a nesting cap.
 *
 * Every problem in the stream is reported, not just the first, each with its document and line.
 * A clean stream (the usual case) takes a faster road to the same objects, see `clean-stream.ts`.
 */
import { type Document, isNode, LineCounter, parseAllDocuments } from 'yaml';
import { formatIssues, issueMessage, listProblems } from '../config/errors.ts';
import { StepError } from '../errors.ts';
import { readCleanStream } from './clean-stream.ts';
import { findTooDeep } from './depth.ts';
import { findDuplicates, type SourceLocation } from './location.ts';
import { type ObjectRef, objectId, refOf } from './object-id.ts';
import { type KubeObject, objectHeaderSchema } from './schema.ts';

/** Bounds on what one stream may hold. */
export interface ParseLimits {
  /** Size of the text in UTF-8 bytes. */
  maxBytes: number;
  /** YAML documents, and objects once `kind: List` items are counted. */
  maxDocuments: number;
  /** yaml's `maxAliasCount`: how much alias expansion a document may do. */
  maxAliasCount: number;
  /** Nesting of mappings and sequences, counted from the document root (which is 1). */
  maxDepth: number;
}

/** The defaults: 64 MiB, 10,000 documents, 100 aliases, 64 levels. */
export const DEFAULT_PARSE_LIMITS: Readonly<ParseLimits> = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  maxDocuments: 10_000,
  maxAliasCount: 100,
  maxDepth: 64,
});

/** One checked object, its id and where it was written. */
export interface ParsedObject {
  id: string;
  ref: ObjectRef;
  object: KubeObject;
  location: SourceLocation;
}

/** A stream that could not be parsed; `problems` lists every one, as in the message. */
export class ManifestParseError extends StepError {
  readonly problems: readonly string[];

  constructor(source: string, problems: readonly string[]) {
    super('parse', source, listProblems(problems));
    this.name = 'ManifestParseError';
    this.problems = problems;
  }
}

/**
 * Parses `text` (named `source` in locations and errors) into objects in stream order. Empty
 * documents are skipped and `kind: List` items flattened. Throws a {@link ManifestParseError}
 * listing every syntax error, limit breach, malformed object and duplicate id.
 */
export function parseManifests(
  text: string,
  source: string,
  limits: Partial<ParseLimits> = {},
): ParsedObject[] {
  const bounds = withinBytes(text, source, limits);
  return readCleanStream(text, source, bounds) ?? readCarefully(text, source, bounds);
}

/**
 * {@link parseManifests} without the fast road for clean streams: the reader that finds and
 * places every problem, which `parseManifests` falls back to. Both give the same objects.
 */
export function parseManifestsCarefully(
  text: string,
  source: string,
  limits: Partial<ParseLimits> = {},
): ParsedObject[] {
  return readCarefully(text, source, withinBytes(text, source, limits));
}

function withinBytes(text: string, source: string, limits: Partial<ParseLimits>): ParseLimits {
  const bounds = { ...DEFAULT_PARSE_LIMITS, ...limits };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > bounds.maxBytes) {
    throw new ManifestParseError(source, [
      `${bytes} bytes is more than the limit of ${bounds.maxBytes}`,
    ]);
  }
  return bounds;
}

function readCarefully(text: string, source: string, bounds: ParseLimits): ParsedObject[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  if (documents.length > bounds.maxDocuments) {
    throw new ManifestParseError(source, [
      `${documents.length} documents is more than the limit of ${bounds.maxDocuments}`,
    ]);
  }
  const problems: string[] = [];
  const objects: ParsedObject[] = [];
  documents.forEach((document, index) => {
    const reader = { source, document: index + 1, lineCounter, bounds, problems, objects };
    readDocument(document, reader);
  });
  if (objects.length > bounds.maxDocuments) {
    problems.push(`${objects.length} objects is more than the limit of ${bounds.maxDocuments}`);
  }
  problems.push(...findDuplicates(objects));
  if (problems.length > 0) throw new ManifestParseError(source, problems);
  return objects;
}

/** What reading one document needs and where it puts its results. */
interface Reader {
  source: string;
  document: number;
  lineCounter: LineCounter;
  bounds: ParseLimits;
  problems: string[];
  objects: ParsedObject[];
}

function readDocument(document: Document.Parsed, reader: Reader): void {
  const report = (offset: number | undefined, message: string): void => {
    reader.problems.push(`doc ${reader.document} line ${lineAt(reader, offset)}: ${message}`);
  };
  if (document.errors.length > 0) {
    for (const error of document.errors) report(error.pos[0], error.message);
    return;
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: reader.bounds.maxAliasCount });
  } catch (thrown) {
    const why = thrown instanceof Error ? thrown.message : 'cannot be converted';
    report(document.contents?.range[0], `${why} (alias limit ${reader.bounds.maxAliasCount})`);
    return;
  }
  if (value === null || value === undefined) return;
  const tooDeep = findTooDeep(value, reader.bounds.maxDepth);
  if (tooDeep) {
    report(nodeOffset(document, tooDeep), `nested more than ${reader.bounds.maxDepth} levels deep`);
    return;
  }
  if (isRecord(value) && value.kind === 'List' && 'items' in value) {
    readList(document, value.items, reader);
  } else {
    readObject(document, value, [], reader);
  }
}

function readList(document: Document.Parsed, items: unknown, reader: Reader): void {
  if (!Array.isArray(items)) {
    const at = nodeOffset(document, ['items']);
    reader.problems.push(
      `doc ${reader.document} line ${lineAt(reader, at)}: items: expected a list of objects`,
    );
    return;
  }
  for (const [index, item] of items.entries()) {
    readObject(document, item, ['items', index], reader);
  }
}

/** Checks one object found at `path` in the document and records it or its problems. */
function readObject(
  document: Document.Parsed,
  value: unknown,
  path: readonly (string | number)[],
  reader: Reader,
): void {
  const item = path.length > 0 ? { item: Number(path[path.length - 1]) + 1 } : {};
  const objectStart = nodeOffset(document, path);
  const location = { source: reader.source, document: reader.document, ...item };
  const prefix = `doc ${reader.document}${'item' in item ? ` item ${item.item}` : ''}`;
  const result = objectHeaderSchema.safeParse(value, { reportInput: true, error: issueMessage });
  if (!result.success) {
    const lines = formatIssues(result.error, 'object');
    result.error.issues.forEach((issue, index) => {
      const at = nodeOffset(document, [...path, ...issue.path.map(asKey)]);
      reader.problems.push(`${prefix} line ${lineAt(reader, at)}: ${lines[index]}`);
    });
    return;
  }
  const ref = refOf(result.data);
  const where: SourceLocation = { ...location, line: lineAt(reader, objectStart) };
  reader.objects.push({ id: objectId(ref), ref, object: result.data, location: where });
}

/**
 * Start offset of the node at `path`, or of its nearest ancestor written out in the document
 * (a missing field, or one reached through an alias, points at the mapping that should hold it).
 */
function nodeOffset(document: Document.Parsed, path: readonly unknown[]): number | undefined {
  for (let length = path.length; length > 0; length--) {
    const node: unknown = document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return node.range[0];
  }
  return document.contents?.range[0];
}

function lineAt(reader: Reader, offset: number | undefined): number {
  return offset === undefined ? 1 : reader.lineCounter.linePos(offset).line;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asKey(segment: PropertyKey): string | number {
  return typeof segment === 'symbol' ? String(segment) : segment;
}
