/**
 * Where an object came from, and the check that no object is defined twice. Locations are
 * 1-based, the way editors and `yamllint` count: document 1 is the first in the stream.
 */

/** The place of one object in a YAML stream. */
export interface SourceLocation {
  /** What the caller calls the stream: a file path or an overlay name. */
  source: string;
  /** 1-based index of the YAML document in the stream. */
  document: number;
  /** 1-based index in the `items` of a `kind: List` document, when the object came from one. */
  item?: number;
  /** 1-based line where the object (or the offending field) starts. */
  line: number;
}

/**
 * `overlays/a doc 3 line 12`, or `doc 3 item 2 line 14`. The source is left out when it is the
 * same as `previous`'s, so a list of places in one file reads naturally.
 */
export function formatLocation(location: SourceLocation, previous?: SourceLocation): string {
  const item = location.item === undefined ? '' : ` item ${location.item}`;
  const place = `doc ${location.document}${item} line ${location.line}`;
  return previous?.source === location.source ? place : `${location.source} ${place}`;
}

/**
 * One message per id that occurs more than once, naming every place:
 * `apps/Deployment/web/api defined twice: overlays/a doc 3 line 12 and doc 7 line 40`.
 * Works across sources, so it also serves callers that combine several files.
 */
export function findDuplicates(
  objects: readonly { id: string; location: SourceLocation }[],
): string[] {
  const places = new Map<string, SourceLocation[]>();
  for (const { id, location } of objects) {
    const list = places.get(id);
    if (list) list.push(location);
    else places.set(id, [location]);
  }
  const messages: string[] = [];
  for (const [id, locations] of places) {
    if (locations.length < 2) continue;
    const texts = locations.map((location, index) =>
      formatLocation(location, index === 0 ? undefined : locations[index - 1]),
    );
    const last = texts.pop();
    const times = locations.length === 2 ? 'twice' : `${locations.length} times`;
    messages.push(`${id} defined ${times}: ${texts.join(', ')} and ${last}`);
  }
  return messages;
}
