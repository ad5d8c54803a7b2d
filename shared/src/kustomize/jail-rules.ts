/**
 * The rules of the build jail that need no filesystem: remote references, Helm, and plugins
 * that run programs. Pure; `jail.ts` walks the files and applies them.
 *
 * Why a jail of our own: kustomize's `LoadRestrictionsRootOnly` exempts bases and components,
 * which may sit anywhere on disk, so it does not stop `resources: [../../../etc]`
 * (CVE-2022-24877 in Flux's kustomize-controller was exactly this).
 */
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import { readBlockStream } from '../manifests/block-stream.ts';
import { DEFAULT_PARSE_LIMITS } from '../manifests/parse.ts';
import { fieldOf, inlinePlugins, type Kustomization } from './kustomization.ts';

/** What a violation is about. */
export const violationKinds = [
  'outside-root',
  'symlink-outside-root',
  'remote',
  'helm',
  'function',
  'unreadable',
  'limit',
] as const;
export type ViolationKind = (typeof violationKinds)[number];

/** One reason not to build: the file it is in, the field, and the offending value. */
export interface JailViolation {
  readonly kind: ViolationKind;
  /** The kustomization (or symlink, or plugin file) it was found in, relative to the root. */
  readonly file: string;
  /** The field, as `resources[2]` or `patches[0].path`; `symlink` for a symlink. */
  readonly field: string;
  readonly value: string;
  readonly message: string;
}

/** Kustomization fields that make kustomize run Helm. */
export const helmFields = ['helmCharts', 'helmGlobals', 'helmChartInflationGenerator'] as const;

/** Annotations that mark a KRM function configuration. */
const functionAnnotations = ['config.kubernetes.io/function', 'config.k8s.io/function'] as const;
/** Keys of a function spec that run something: a binary, a container, a script. */
const functionRunners = ['exec', 'container', 'starlark'] as const;

// Prefixes kustomize's repo-spec parser and file loader treat as remote (api/internal/git).
const remotePrefixes = /^(?:[a-z][a-z0-9+.-]*:\/\/|git::|gh:|git@|github\.com[/:])/i;
// scp-like `user@host:path`, Azure's `_git/`, and the query keys of a remote git reference.
const remoteMarkers = /^[\w.-]+@[\w.-]+:|_git\/|[?&](?:ref|version|timeout|submodules|cache)=/i;
// A first path segment that is a host name, as `gitlab.com/org/repo`.
const hostLike = /^[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\//i;

/** Whether a reference is unmistakably remote (a URL, a git remote, a `?ref=` query). */
export function isRemote(value: string): boolean {
  return remotePrefixes.test(value) || remoteMarkers.test(value);
}

/** Whether a reference starts with a host name; remote when no such local path exists. */
export function looksLikeHost(value: string): boolean {
  return hostLike.test(value);
}

/** The violations visible in a kustomization itself: Helm fields and inline function plugins. */
export function kustomizationViolations(k: Kustomization, file: string): JailViolation[] {
  const found: JailViolation[] = [];
  for (const field of helmFields) {
    if (k[field] === undefined) continue;
    const message = `${field} makes kustomize run helm; Helm inflation is not allowed`;
    found.push({ kind: 'helm', file, field, value: summarize(k[field]), message });
  }
  for (const plugin of inlinePlugins(k)) {
    const docs = typeof plugin.value === 'string' ? yamlDocuments(plugin.value) : [plugin.value];
    if (docs === undefined) {
      const message = 'inline plugin configuration is not valid YAML';
      found.push({
        kind: 'unreadable',
        file,
        field: plugin.field,
        value: summarize(plugin.value),
        message,
      });
      continue;
    }
    for (const doc of docs) {
      const marker = functionMarker(doc);
      if (marker !== undefined) found.push(functionViolation(file, plugin.field, marker));
    }
  }
  return found;
}

/** The violations in a plugin configuration file (`generators`, `transformers`, `validators`). */
export function pluginFileViolations(text: string, file: string, field: string): JailViolation[] {
  const docs = yamlDocuments(text);
  if (docs === undefined) {
    const message = 'plugin configuration file is not valid YAML';
    return [{ kind: 'unreadable', file, field, value: file, message }];
  }
  return docs.flatMap((doc) => {
    const marker = functionMarker(doc);
    return marker === undefined ? [] : [functionViolation(file, field, marker)];
  });
}

/**
 * What marks a configuration as a KRM function or exec plugin: one of the function annotations,
 * or an `exec`, `container` or `starlark` key at its top level or under `spec`.
 */
export function functionMarker(doc: unknown): string | undefined {
  const annotations = fieldOf(fieldOf(doc, 'metadata'), 'annotations');
  const annotation = functionAnnotations.find((name) => fieldOf(annotations, name) !== undefined);
  if (annotation !== undefined) return `annotation ${annotation}`;
  for (const holder of [doc, fieldOf(doc, 'spec')]) {
    const runner = functionRunners.find((key) => fieldOf(holder, key) !== undefined);
    if (runner !== undefined) return `${holder === doc ? '' : 'spec.'}${runner}`;
  }
  return undefined;
}

/**
 * Parses YAML the way the jail reads kustomizations: merge keys on, aliases bounded.
 * `undefined` when it is not valid YAML.
 *
 * Text without aliases or merge keys (nearly every kustomization) goes through the block reader
 * of kustomize's style or, when that declines, js-yaml, which read the same YAML 1.2 core values
 * several times faster; the rest through `yaml`, whose merge-key and alias-expansion limits the
 * jail relies on.
 */
export function yamlDocuments(text: string): unknown[] | undefined {
  return plainDocuments(text) ?? documentsWithAliases(text);
}

function plainDocuments(text: string): unknown[] | undefined {
  if (text.includes('<<')) return undefined;
  const block = readBlockStream(text, DEFAULT_PARSE_LIMITS.maxDepth);
  if (block !== undefined) return block.values;
  try {
    return loadAll(text, { maxAliases: 0 });
  } catch {
    return undefined;
  }
}

function documentsWithAliases(text: string): unknown[] | undefined {
  const docs = parseAllDocuments(text, { merge: true });
  if (!Array.isArray(docs) || docs.some((doc) => doc.errors.length > 0)) return undefined;
  try {
    return docs.map((doc) => doc.toJS({ maxAliasCount: 100 }));
  } catch {
    return undefined;
  }
}

function functionViolation(file: string, field: string, marker: string): JailViolation {
  const message = `a KRM function or exec plugin (${marker}) would run a program named by the repository`;
  return { kind: 'function', file, field, value: marker, message };
}

/** A short, single-line rendering of a field's value for a message. */
export function summarize(value: unknown): string {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
