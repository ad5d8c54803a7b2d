/**
 * The fastest way through the YAML kustomize writes: block mappings and sequences indented by
 * two spaces (a sequence may sit at its key's indentation), plain, single- and double-quoted
 * scalars on one line, literal block scalars, and `{}` or `[]` for empty collections, with
 * documents separated by `---` lines.
 *
 * It reads only that subset, line by line, and resolves plain scalars by the YAML 1.2 core
 * schema exactly as `yaml` does (`yaml/dist/schema/core`). On anything else (a flow collection
 * with content, an anchor, alias or tag, a folded or multi-line scalar, a comment after a
 * value, a tab outside a block scalar, a CR, a key that is no string, a duplicate key, a
 * directive, nesting near the limit) it declines, and the slower readers of `clean-stream.ts`
 * and `parse.ts` answer, so what it returns is always what they would.
 */

/** The documents of a stream: each one's value (`null` when empty), and its root's line. */
export interface BlockDocuments {
  readonly values: unknown[];
  /** The 1-based line of each root mapping's first key; -1 for an empty document. */
  readonly lines: number[];
}

/** Thrown inside the reader when the text is outside the subset; never escapes it. */
const decline = Symbol('decline');

// Characters the YAML spec keeps out of a stream or that `yaml` reads in ways of its own.
const unusual =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
  /[\0-\x08\x0B-\x1F\x7F-\x9F\u2028\u2029\uFEFF\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * The documents of `text`, or `undefined` when it is not in the subset. Collections nested
 * `maxDepth - 2` levels deep or more are declined, so the readers that report depth own them.
 */
export function readBlockStream(text: string, maxDepth: number): BlockDocuments | undefined {
  if (!text.endsWith('\n') || unusual.test(text)) return undefined;
  const lines = text.split('\n');
  lines.pop(); // what follows the final line break
  try {
    return new Reader(lines, maxDepth - 2, text.includes('\t')).documents();
  } catch (thrown) {
    if (thrown === decline) return undefined;
    throw thrown;
  }
}

const space = 32;
const hash = 35;
const dash = 45;
const colon = 58;

/** The count of leading spaces. */
function indentOf(line: string): number {
  let at = 0;
  while (line.charCodeAt(at) === space) at++;
  return at;
}

/** Whether the line at `indent` is a sequence entry (`- ` or a lone `-`). */
function isEntry(line: string, indent: number): boolean {
  if (line.charCodeAt(indent) !== dash) return false;
  return line.length === indent + 1 || line.charCodeAt(indent + 1) === space;
}

class Reader {
  private at = 0;
  private readonly lines: readonly string[];
  private readonly depthLimit: number;
  /** Whether any line holds a tab, which only a block scalar's content may. */
  private readonly tabs: boolean;

  constructor(lines: readonly string[], depthLimit: number, tabs: boolean) {
    this.lines = lines;
    this.depthLimit = depthLimit;
    this.tabs = tabs;
  }

  documents(): BlockDocuments {
    const values: unknown[] = [];
    const roots: number[] = [];
    let open = false; // a `---` began a document that has no content yet
    for (let at = this.skip(); at < this.lines.length; at = this.skip()) {
      const line = this.lines[at] as string;
      if (line === '---') {
        if (open) {
          values.push(null);
          roots.push(-1);
        }
        open = true;
        this.at++;
        continue;
      }
      if (line.startsWith('---') || line.startsWith('...') || line.startsWith('%')) throw decline;
      if (line.charCodeAt(0) === space || isEntry(line, 0)) throw decline;
      roots.push(at + 1);
      values.push(this.mapping(0, 1, 0));
      open = false;
    }
    if (open) {
      values.push(null);
      roots.push(-1);
    }
    return { values, lines: roots };
  }

  /** Moves past blank and comment lines; the index of the next line that holds something. */
  private skip(): number {
    const lines = this.lines;
    while (this.at < lines.length) {
      const line = lines[this.at] as string;
      const indent = indentOf(line);
      if (indent < line.length && line.charCodeAt(indent) !== hash) break;
      this.at++;
    }
    return this.at;
  }

  /**
   * A block mapping whose keys sit at column `indent`. With `firstColumn` above the line's own
   * indentation, its first key follows a sequence entry's `- ` on the current line.
   */
  private mapping(indent: number, depth: number, firstColumn: number): Record<string, unknown> {
    if (depth > this.depthLimit) throw decline;
    const map: Record<string, unknown> = {};
    let column = firstColumn;
    for (let at = this.at; at < this.lines.length; at = this.skip()) {
      const line = this.lines[at] as string;
      if (column === -1) {
        const own = indentOf(line);
        if (own < indent) break;
        if (own > indent || (this.tabs && line.includes('\t'))) throw decline;
        if (isEntry(line, own)) {
          // A sequence at its parent key's indentation ends this mapping.
          if (indent === 0) throw decline;
          break;
        }
        if (indent === 0 && (line.startsWith('---') || line.startsWith('...'))) break;
        column = own;
      } else if (this.tabs && line.includes('\t')) throw decline;
      const { key, rest } = keyOf(line, column);
      if (Object.hasOwn(map, key)) throw decline;
      this.at = at + 1;
      map[key] = rest === undefined ? this.nested(indent, depth) : this.inline(rest, indent, depth);
      column = -1;
    }
    return map;
  }

  /** The value of a key that ends its line: what the following lines nest, else null. */
  private nested(indent: number, depth: number): unknown {
    const at = this.skip();
    if (at >= this.lines.length) return null;
    const line = this.lines[at] as string;
    const own = indentOf(line);
    if (own >= indent && isEntry(line, own)) return this.sequence(own, depth + 1);
    if (own > indent) return this.mapping(own, depth + 1, -1);
    return null;
  }

  /** A value written after `key: `. */
  private inline(text: string, indent: number, depth: number): unknown {
    switch (text.charCodeAt(0)) {
      case 34: // "
        return onlyScalar(doubleQuoted(text));
      case 39: // '
        return onlyScalar(singleQuoted(text));
      case 124: // |
        return this.literal(text, indent);
      case 123: // {
        if (text !== '{}' || depth + 1 > this.depthLimit) throw decline;
        return {};
      case 91: // [
        if (text !== '[]' || depth + 1 > this.depthLimit) throw decline;
        return [];
      default:
        return plain(text);
    }
  }

  /** A block sequence whose `- ` entries sit at column `indent`. */
  private sequence(indent: number, depth: number): unknown[] {
    if (depth > this.depthLimit) throw decline;
    const list: unknown[] = [];
    for (let at = this.skip(); at < this.lines.length; at = this.skip()) {
      const line = this.lines[at] as string;
      const own = indentOf(line);
      if (own < indent) break;
      if (own > indent || (this.tabs && line.includes('\t'))) throw decline;
      if (!isEntry(line, own)) break;
      const column = own + 2;
      if (line.length <= column || line.charCodeAt(column) === space) throw decline;
      if (isEntry(line, column)) throw decline; // a sequence in a sequence
      if (startsWithKey(line, column)) {
        list.push(this.mapping(column, depth + 1, column));
        continue;
      }
      this.at = at + 1;
      const text = line.slice(column);
      if (text.charCodeAt(0) === 124) throw decline; // a block scalar as an entry
      list.push(this.inline(text, column, depth));
    }
    return list;
  }

  /** A literal block scalar (`|`, `|-`, `|+`, with or without an indentation indicator). */
  private literal(header: string, indent: number): string {
    let chomp = '';
    let explicit = 0;
    for (const char of header.slice(1)) {
      if ((char === '-' || char === '+') && chomp === '') chomp = char;
      else if (char >= '1' && char <= '9' && explicit === 0) explicit = Number(char);
      else throw decline;
    }
    const lines = this.lines;
    let content = explicit === 0 ? -1 : indent + explicit;
    if (content === -1) {
      // The first line that is not blank sets the indentation; blank lines before it may not
      // be longer than that.
      let longestBlank = 0;
      for (let at = this.at; at < lines.length; at++) {
        const line = lines[at] as string;
        const own = indentOf(line);
        if (own < line.length) {
          content = own;
          break;
        }
        longestBlank = Math.max(longestBlank, line.length);
      }
      if (content <= indent || longestBlank > content) throw decline;
    }
    const body: string[] = [];
    let trailing = 0;
    for (; this.at < lines.length; this.at++) {
      const line = lines[this.at] as string;
      const own = indentOf(line);
      if (own === line.length && own <= content) {
        body.push('');
        trailing++;
        continue;
      }
      if (own < content) break;
      body.push(line.slice(content));
      trailing = 0;
    }
    // Blank lines after the scalar belong to what follows, except for `+`, which keeps them.
    const kept = body.slice(0, body.length - trailing);
    const text = kept.join('\n');
    if (chomp === '-') return text;
    const end = kept.length === 0 ? '' : '\n';
    return chomp === '+' ? text + end + '\n'.repeat(trailing) : text + end;
  }
}

/** A scalar that must end its line: nothing may follow its closing quote. */
function onlyScalar(read: { value: string; end: number; text: string }): string {
  if (read.end !== read.text.length) throw decline;
  return read.value;
}

/** Whether what starts at `column` is `key:` or `key: value`. */
function startsWithKey(line: string, column: number): boolean {
  const first = line.charCodeAt(column);
  if (first === 34 || first === 39) {
    const read = first === 34 ? doubleQuoted(line.slice(column)) : singleQuoted(line.slice(column));
    return read.end < read.text.length && read.text.charCodeAt(read.end) === 58; // :
  }
  return line.endsWith(':') || line.indexOf(': ', column) !== -1;
}

/** The key at `column` and what follows `key: ` (`undefined` when the line ends at the colon). */
function keyOf(line: string, column: number): { key: string; rest: string | undefined } {
  const first = line.charCodeAt(column);
  let key: string;
  let after: number;
  if (first === 34 || first === 39) {
    const text = line.slice(column);
    const read = first === 34 ? doubleQuoted(text) : singleQuoted(text);
    if (read.text.charCodeAt(read.end) !== 58) throw decline;
    key = read.value;
    after = column + read.end + 1;
  } else {
    const colon = line.indexOf(': ', column);
    after = colon === -1 ? line.length : colon + 1;
    if (colon === -1 && !line.endsWith(':')) throw decline;
    const text = line.slice(column, after - 1);
    if (typeof plain(text) !== 'string') throw decline; // `1:`, `true:`, `~:`
    key = text;
  }
  if (key === '__proto__' || key === '<<') throw decline;
  if (after === line.length) return { key, rest: undefined };
  if (line.charCodeAt(after) !== space || line.charCodeAt(after + 1) === space) throw decline;
  const rest = line.slice(after + 1);
  if (rest === '') throw decline;
  return { key, rest };
}

/** A double-quoted scalar on one line using JSON's escapes only; `end` is past its quote. */
function doubleQuoted(text: string): { value: string; end: number; text: string } {
  let escaped = false;
  for (let at = 1; at < text.length; at++) {
    const code = text.charCodeAt(at);
    if (code === 92) {
      // \" \\ \/ \b \f \n \r \t \uXXXX mean the same in JSON and YAML.
      if (!'"\\/bfnrtu'.includes(text[at + 1] ?? '')) throw decline;
      escaped = true;
      at++;
    } else if (code === 34) {
      const inner = text.slice(1, at);
      if (!escaped) return { value: inner, end: at + 1, text };
      try {
        return { value: JSON.parse(`"${inner}"`) as string, end: at + 1, text };
      } catch {
        throw decline;
      }
    }
  }
  throw decline; // continues on the next line
}

/** A single-quoted scalar on one line; `end` is past its quote. */
function singleQuoted(text: string): { value: string; end: number; text: string } {
  for (let at = 1; at < text.length; at++) {
    if (text.charCodeAt(at) !== 39) continue;
    if (text.charCodeAt(at + 1) === 39) {
      at++;
      continue;
    }
    return { value: text.slice(1, at).replaceAll("''", "'"), end: at + 1, text };
  }
  throw decline;
}

const nullPattern = /^(?:~|[Nn]ull|NULL)?$/;
const boolPattern = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const octPattern = /^0o[0-7]+$/;
const intPattern = /^[-+]?[0-9]+$/;
const hexPattern = /^0x[0-9a-fA-F]+$/;
const nanPattern = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const expPattern = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const floatPattern = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
/** What may start a plain scalar: no indicator, or `-`, `?`, `:` before something else. */
const plainStart = /^(?:[^-?:,[\]{}#&*!|>'"%@` ]|[-?:][^ ])/;

/**
 * Throws unless `text` is one plain scalar: a permitted start, no ` #` (a comment) or `: `
 * (a mapping) inside, and no space or colon at its end.
 */
function checkPlain(text: string): void {
  const last = text.length - 1;
  if (last < 0 || !plainStart.test(text)) throw decline;
  for (let at = 1; at <= last; at++) {
    const code = text.charCodeAt(at);
    if (code === space) {
      if (at === last || text.charCodeAt(at + 1) === hash) throw decline;
    } else if (code === colon && (at === last || text.charCodeAt(at + 1) === space)) {
      throw decline;
    }
  }
}

/** A plain scalar on one line, resolved by the YAML 1.2 core schema as `yaml` resolves it. */
function plain(text: string): unknown {
  checkPlain(text);
  const first = text.charCodeAt(0);
  // Only these can start anything but a string.
  if (!(first <= 57 || first === 70 || first === 78 || first === 84 || first === 102)) {
    if (first !== 110 && first !== 116 && first !== 126) return text;
  }
  if (nullPattern.test(text)) return null;
  if (boolPattern.test(text)) return first === 116 || first === 84;
  if (octPattern.test(text)) return Number.parseInt(text.substring(2), 8);
  if (intPattern.test(text)) return Number.parseInt(text, 10);
  if (hexPattern.test(text)) return Number.parseInt(text.substring(2), 16);
  if (nanPattern.test(text)) {
    if (text.slice(-3).toLowerCase() === 'nan') return Number.NaN;
    return text[0] === '-' ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  }
  if (expPattern.test(text) || floatPattern.test(text)) return Number.parseFloat(text);
  return text;
}
