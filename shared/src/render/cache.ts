/**
 * The parsed output of builds whose output cannot change: a checkout directory holds one
 * commit and is never written to, and with remote resources refused a kustomize build reads
 * nothing else, so the same directory and path render the same objects every time. A resync of
 * an unchanged revision then reads what the last build came to instead of running kustomize
 * again (on a set of 1,000 objects, a second of kustomize CPU per resync).
 *
 * Bounded by bytes, least recently used first out. Text, not objects: every render still returns
 * fresh objects that the steps after it may fill in, and text is a few times smaller. The text is
 * the JSON of the objects as parsed and checked from the build's YAML, which reads back some ten
 * times faster than parsing that YAML again (for 1,000 objects, a few milliseconds instead of
 * tens).
 */

/** Where renders find and leave the parsed output of earlier builds, as JSON. */
export interface RenderCache {
  get(key: string): string | undefined;
  set(key: string, json: string): void;
}

/** 32 MiB: the parsed output of some 80,000 typical objects. */
export const defaultRenderCacheBytes = 32 * 1024 * 1024;

/** A {@link RenderCache} holding at most `maxBytes` of text (UTF-16 length counted as bytes). */
export function createRenderCache(maxBytes = defaultRenderCacheBytes): RenderCache {
  const entries = new Map<string, string>();
  let bytes = 0;
  const drop = (key: string) => {
    const text = entries.get(key);
    if (text === undefined) return;
    entries.delete(key);
    bytes -= text.length;
  };
  return {
    get(key) {
      const text = entries.get(key);
      if (text === undefined) return undefined;
      entries.delete(key); // most recently used last
      entries.set(key, text);
      return text;
    },
    set(key, json) {
      drop(key);
      if (json.length > maxBytes) return;
      entries.set(key, json);
      bytes += json.length;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
    },
  };
}
