/**
 * Finding the overlays of a config repository: every directory holding a kustomization that
 * no other kustomization builds on. Bases and components are built through their overlays,
 * not on their own.
 */
import type { Dirent } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { join, matchesGlob, resolve } from 'node:path';
import { StepError } from '../errors.ts';
import { isRemote } from './jail-rules.ts';
import { kustomizationFileNames, references } from './kustomization.ts';
import { inside, posixRelative, readKustomization, realpathOrUndefined } from './read.ts';

/** Which overlays to keep, by their path relative to the root (`overlays/prod`, `.` for the root). */
export interface FindOverlaysOptions {
  /** Keep only overlays matching one of these globs (`path.matchesGlob`); all when absent or empty. */
  readonly include?: readonly string[];
  /** Drop overlays matching any of these globs. */
  readonly exclude?: readonly string[];
  /** The most directory entries looked at before giving up; `defaultMaxEntries` when absent. */
  readonly maxEntries?: number;
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
  const realRoot = await realpath(root);
  const dirs = await kustomizationDirs(realRoot, options.maxEntries ?? defaultMaxEntries);
  const referenced = new Set<string>();
  for (const [dir, file] of dirs) {
    for (const base of await basesOf(realRoot, dir, file)) referenced.add(base);
  }
  const include = options.include ?? [];
  const exclude = options.exclude ?? [];
  return [...dirs.keys()]
    .filter((dir) => !referenced.has(dir))
    .map((dir) => posixRelative(realRoot, dir))
    .filter((name) => include.length === 0 || include.some((glob) => matchesGlob(name, glob)))
    .filter((name) => !exclude.some((glob) => matchesGlob(name, glob)))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Every directory under `root` with a kustomization file, mapped to that file. */
async function kustomizationDirs(root: string, maxEntries: number): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  const pending = [root];
  let seen = 0;
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = await listDirectory(root, dir);
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

async function listDirectory(root: string, dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    throw new StepError('discover', root, `cannot list ${posixRelative(root, dir)}: ${code}`, {
      cause,
    });
  }
}

/** The real directories a kustomization builds on (resources, components, bases, plugins), inside root. */
async function basesOf(root: string, dir: string, file: string): Promise<string[]> {
  const realFile = await realpathOrUndefined(file);
  if (realFile === undefined || !inside(root, realFile)) return [];
  const read = await readKustomization(realFile);
  if (!('kustomization' in read)) return [];
  const bases: string[] = [];
  for (const ref of references(read.kustomization)) {
    if (ref.role === 'file' || isRemote(ref.value)) continue;
    const real = await realpathOrUndefined(resolve(dir, ref.value));
    if (real !== undefined && real !== dir && inside(root, real)) bases.push(real);
  }
  return bases;
}
