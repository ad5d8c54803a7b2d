/**
 * An overlay's rendered YAML, parsed once: its objects, or every problem that kept it from
 * parsing. Rendering parses each overlay as soon as its build ends, while other builds still
 * run, so validation does not parse them all one after another at the end.
 */
import {
  ManifestParseError,
  type ParsedObject,
  parseManifests,
} from '@kustodian/shared/manifests/parse';

/** The objects of an overlay's output, or why it did not parse. */
export type ParsedOutput =
  | { readonly objects: readonly ParsedObject[] }
  | { readonly problems: readonly string[] };

/** Parses one overlay's output (named `overlay` in locations and problems). */
export function parseOutput(yaml: string, overlay: string): ParsedOutput {
  try {
    return { objects: parseManifests(yaml, overlay) };
  } catch (thrown) {
    if (!(thrown instanceof ManifestParseError)) throw thrown;
    return { problems: thrown.problems };
  }
}
