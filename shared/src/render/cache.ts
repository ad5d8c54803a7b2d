/**
 * Rendered YAML kept for builds whose output cannot change: a checkout directory holds one
 * commit and is never written to, and with remote resources refused a kustomize build reads
 * nothing else, so the same directory and path render the same bytes every time. A resync of an
 * unchanged revision then parses what the last build printed instead of running kustomize again
 * (on a set of 1,000 objects, a second of kustomize CPU per resync).
 *
 * Bounded by bytes, least recently used first out. Text, not parsed objects: every render still
 * returns fresh objects that the steps after it may fill in, and text is a few times smaller.
 */

/** Where renders find and leave the YAML of earlier builds. */
export interface RenderCache {
  get(key: string): string | undefined;
  set(key: string, yaml: string): void;
}

/** 32 MiB: the rendered YAML of some 140,000 typical objects. */
export const defaultRenderCacheBytes = 32 * 1024 * 1024;

/** A {@link RenderCache} holding at most `maxBytes` of YAML (UTF-16 length counted as bytes). */
export function createRenderCache(maxBytes = defaultRenderCacheBytes): RenderCache {
  const entries = new Map<string, string>();
  let bytes = 0;
  const drop = (key: string) => {
    const yaml = entries.get(key);
    if (yaml === undefined) return;
    entries.delete(key);
    bytes -= yaml.length;
  };
  return {
    get(key) {
      const yaml = entries.get(key);
      if (yaml === undefined) return undefined;
      entries.delete(key); // most recently used last
      entries.set(key, yaml);
      return yaml;
    },
    set(key, yaml) {
      drop(key);
      if (yaml.length > maxBytes) return;
      entries.set(key, yaml);
      bytes += yaml.length;
      for (const oldest of entries.keys()) {
        if (bytes <= maxBytes) break;
        drop(oldest);
      }
    },
  };
}
