/**
 * Finding the overlays of a config repository: every directory holding a kustomization that
 * no other kustomization builds on and that is not a `kind: Component`. Bases and components
 * are built through their overlays, not on their own: a Component is only ever applied to the
 * resources of what includes it (kustomize refuses to build one alone, or its patches find
 * nothing to patch), so one that nothing includes is skipped, not failed.
 */
import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join, matchesGlob, resolve } from 'node:path';
import { StepError } from '../errors.ts';
import { directJailReads, type JailReads } from './jail-reads.ts';
import { isRemote } from './jail-rules.ts';
import { type Kustomization, kustomizationFileNames, references } from './kustomization.ts';
import { defaultMaxFileBytes, inside, posixRelative } from './read.ts';

/** Which overlays to keep, by their path relative to the root (`overlays/prod`, `.` for the root). */
export interface FindOverlaysOptions {
  /**
   * Which overlays to keep, as `path.matchesGlob` patterns; a pattern starting with `!` excludes.
   * As in `@actions/glob`, the last pattern that matches an overlay decides; when there are
   * only exclusions, every overlay starts included. All overlays when absent or empty.
   */
  readonly include?: readonly string[];
  /** Drop overlays matching any of these globs. */
  readonly exclude?: readonly string[];
  /** The most directory entries looked at before giving up; `defaultMaxEntries` when absent. */
  readonly maxEntries?: number;
  /**
   * Where the search reads; straight from disk when absent. Pass the `memoizedJailReads()` the
   * overlays' jail walks use, so that each directory is listed and each kustomization read and
   * parsed once for both.
   */
  readonly reads?: JailReads;
}

/** Directories never searched. */
export const skippedDirectories = ['.git', 'node_modules'] as const;

/** How many directory entries `findOverlays` looks at before it gives up. */
export const defaultMaxEntries = 200_000;

/**
 * The overlays under `root`, as sorted `/`-separated paths relative to it. Symlinked directories
 * are not followed. A kustomization that cannot be parsed is still listed (its build will say
 * why) but refers to nothing. Throws a `StepError` (step `discover`) past `maxEntries`.
 */
export async function findOverlays(
  root: string,
  options: FindOverlaysOptions = {},
): Promise<string[]> {
  const reads = options.reads ?? directJailReads;
  const realRoot = await reads.realpath(root);
  const dirs = await kustomizationDirs(reads, realRoot, options.maxEntries ?? defaultMaxEntries);
  const skipped = new Set<string>();
  for (const [dir, file] of dirs) {
    const read = await readInside(reads, realRoot, file);
    if (read === undefined) continue;
    if (read.kind === 'Component') skipped.add(dir);
    for (const base of await basesOf(reads, realRoot, dir, read)) skipped.add(base);
  }
  const include = options.include ?? [];
  const exclude = options.exclude ?? [];
  return [...dirs.keys()]
    .filter((dir) => !skipped.has(dir))
    .map((dir) => posixRelative(realRoot, dir))
    .filter((name) => selectedBy(include, name))
    .filter((name) => !exclude.some((glob) => matchesGlob(name, glob)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every directory under `root` with a kustomization file, mapped to that file. */
async function kustomizationDirs(
  reads: JailReads,
  root: string,
  maxEntries: number,
): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const pending = [root];
  let seen = 0;
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await listDirectory(reads, root, dir);
    seen += entries.length;
    if (seen > maxEntries) {
      throw new StepError(
        'discover',
        root,
        `more than ${maxEntries} directory entries (maxEntries); narrow the search`,
      );
    }
    const names = new Set(entries.map((entry) => entry.name));
    const file = kustomizationFileNames.find((name) => names.has(name));
    if (file !== undefined) found.set(dir, join(dir, file));
    for (const entry of entries) {
      const skipped = (skippedDirectories as readonly string[]).includes(entry.name);
      if (entry.isDirectory() && !skipped) pending.push(join(dir, entry.name));
    }
  }
  return found;
}

async function listDirectory(reads: JailReads, root: string, dir: string): Promise<Dirent[]> {
  const entries = await reads.readdir(dir);
  if (entries !== undefined) return entries;
  // The reads say only that it failed; list it once more for the reason.
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new StepError('discover', root, `cannot list ${posixRelative(root, dir)}: ${code}`, {
      cause,
    });
  }
}

/**
 * Whether ordered `patterns` select `name`: the last one matching decides (`!` excludes);
 * with no pattern, or only exclusions, a name no pattern matches is selected.
 */
export function selectedBy(patterns: readonly string[], name: string): boolean {
  let selected = patterns.every((pattern) => negation(pattern).negate);
  for (const pattern of patterns) {
    const { negate, glob } = negation(pattern);
    if (matchesGlob(name, glob)) selected = !negate;
  }
  return selected;
}

/** A pattern without its leading `!`s, and whether they negate it (as `@actions/glob` reads them). */
export function negation(pattern: string): { negate: boolean; glob: string } {
  const glob = pattern.replace(/^!+/, '');
  return { negate: (pattern.length - glob.length) % 2 === 1, glob };
}

/** The kustomization in `file` when it is inside `root` and parses. */
async function readInside(
  reads: JailReads,
  root: string,
  file: string,
): Promise<Kustomization | undefined> {
  const realFile = await reads.realpathOrUndefined(file);
  if (realFile === undefined || !inside(root, realFile)) return undefined;
  const read = await reads.readKustomization(realFile, defaultMaxFileBytes);
  return 'kustomization' in read ? read.kustomization : undefined;
}

/** The real directories a kustomization builds on (resources, components, bases, plugins), inside root. */
async function basesOf(
  reads: JailReads,
  root: string,
  dir: string,
  kustomization: Kustomization,
): Promise<string[]> {
  const bases: string[] = [];
  for (const ref of references(kustomization)) {
    if (ref.role === 'file' || isRemote(ref.value)) continue;
    const real = await reads.realpathOrUndefined(resolve(dir, ref.value));
    if (real !== undefined && real !== dir && inside(root, real)) bases.push(real);
  }
  return bases;
}
