/**
 * What a kustomization file refers to, read statically. Pure: reading files happens elsewhere.
 *
 * The fields are those of kustomize v5's `Kustomization` and `Component`, including the
 * deprecated ones kustomize still honours (`bases`, `patchesStrategicMerge`, `patchesJson6902`,
 * the generators' `env`).
 */

/** The file names kustomize looks for in a directory, in its order. */
export const kustomizationFileNames = [
  'kustomization.yaml',
  'kustomization.yml',
  'Kustomization',
] as const;

/** A parsed kustomization file. */
export type Kustomization = Readonly<Record<string, unknown>>;

/**
 * What a referenced path may be: `kustomization` a directory with a kustomization (or a
 * resource file, for `resources`); `file` a data file; `plugin` a generator, transformer or
 * validator: a directory with a kustomization or a file of plugin configurations.
 */
export const referenceRoles = ['kustomization', 'file', 'plugin'] as const;
export type ReferenceRole = (typeof referenceRoles)[number];

/** One path a kustomization refers to, with the field it sits in (`patches[0].path`). */
export interface Reference {
  readonly field: string;
  readonly value: string;
  readonly role: ReferenceRole;
}

/** One inline entry of `generators`, `transformers` or `validators`: YAML text or an object. */
export interface InlinePlugin {
  readonly field: string;
  readonly value: unknown;
}

/** Fields whose entries are paths to kustomizations (or, for `resources`, resource files). */
const kustomizationLists = ['resources', 'components', 'bases'] as const;
/** Fields whose entries are paths to data files. */
const fileLists = ['crds', 'configurations'] as const;
/** Fields whose entries are objects with an optional `path`. */
const pathObjectLists = ['patches', 'patchesJson6902', 'replacements'] as const;
/** Fields whose entries are plugin configurations: a path, or inline YAML. */
export const pluginLists = ['generators', 'transformers', 'validators'] as const;
const generatorLists = ['configMapGenerator', 'secretGenerator'] as const;

/** Every path a kustomization refers to, in field order. Entries of the wrong type are skipped. */
export function references(k: Kustomization): Reference[] {
  const refs: Reference[] = [];
  for (const [field, value, role] of candidates(k)) {
    if (typeof value === 'string' && value !== '') refs.push({ field, value, role });
  }
  return refs;
}

/** The inline entries of `generators`, `transformers` and `validators`. */
export function inlinePlugins(k: Kustomization): InlinePlugin[] {
  const found: InlinePlugin[] = [];
  for (const name of pluginLists) {
    for (const [i, value] of listOf(k[name]).entries()) {
      if (isInline(value)) found.push({ field: `${name}[${i}]`, value });
    }
  }
  return found;
}

type Candidate = [field: string, value: unknown, role: ReferenceRole];

function* candidates(k: Kustomization): Generator<Candidate> {
  for (const name of kustomizationLists) {
    for (const [i, v] of listOf(k[name]).entries()) yield [`${name}[${i}]`, v, 'kustomization'];
  }
  for (const name of fileLists) {
    for (const [i, v] of listOf(k[name]).entries()) yield [`${name}[${i}]`, v, 'file'];
  }
  for (const [i, v] of listOf(k.patchesStrategicMerge).entries()) {
    if (!isInline(v)) yield [`patchesStrategicMerge[${i}]`, v, 'file'];
  }
  for (const name of pathObjectLists) {
    for (const [i, v] of listOf(k[name]).entries())
      yield [`${name}[${i}].path`, fieldOf(v, 'path'), 'file'];
  }
  yield ['openapi.path', fieldOf(k.openapi, 'path'), 'file'];
  for (const name of generatorLists) {
    for (const [i, generator] of listOf(k[name]).entries())
      yield* sourcesOf(`${name}[${i}]`, generator);
  }
  for (const name of pluginLists) {
    for (const [i, v] of listOf(k[name]).entries())
      if (!isInline(v)) yield [`${name}[${i}]`, v, 'plugin'];
  }
}

/** The files of a `configMapGenerator` or `secretGenerator` entry. */
function* sourcesOf(field: string, generator: unknown): Generator<Candidate> {
  for (const [j, v] of listOf(fieldOf(generator, 'files')).entries()) {
    // `key=path` or `path`.
    yield [`${field}.files[${j}]`, typeof v === 'string' ? v.slice(v.indexOf('=') + 1) : v, 'file'];
  }
  for (const [j, v] of listOf(fieldOf(generator, 'envs')).entries())
    yield [`${field}.envs[${j}]`, v, 'file'];
  yield [`${field}.env`, fieldOf(generator, 'env'), 'file'];
}

/** An entry that is not a path: an object, or text with a line break (inline YAML). */
function isInline(value: unknown): boolean {
  return typeof value !== 'string' || value.includes('\n');
}

/** The directories a kustomization builds on: its `resources`, `components` and `bases` entries. */
export function baseReferences(k: Kustomization): Reference[] {
  return references(k).filter((ref) => ref.role === 'kustomization');
}

/** A field's entries when it is a list, else none. */
export function listOf(value: unknown): readonly unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `value[key]` when `value` is a plain object, else `undefined`. */
export function fieldOf(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  return (value as Record<string, unknown>)[key];
}
