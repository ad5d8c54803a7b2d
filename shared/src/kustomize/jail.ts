/**
 * The build jail: before kustomize builds an overlay from a repository we do not trust, walk
 * its kustomization graph statically and list everything that would reach outside the
 * checkout, fetch remote content, or run a program.
 *
 * Paths are compared after `realpath`, so symlinks are followed exactly as kustomize follows
 * them (it resolves each kustomization directory with EvalSymlinks and loads relative to that).
 * Every symlink in the trees a build can read must stay inside the root (Argo CD's
 * CVE-2022-24904 and CVE-2022-31036). The walk stops after `maxFiles` entries, so a hostile
 * repository cannot make it spin.
 */
import { dirname, join, resolve } from 'node:path';
import { directJailReads, type JailReads } from './jail-reads.ts';
import {
  isRemote,
  type JailViolation,
  kustomizationViolations,
  looksLikeHost,
  pluginFileViolations,
  type ViolationKind,
} from './jail-rules.ts';
import { type Kustomization, type Reference, references } from './kustomization.ts';
import { defaultMaxFileBytes, inside, posixRelative as rel } from './read.ts';
import {
  allowsRemote,
  noRemote,
  type RemoteAllowance,
  redactRemote,
  remoteHost,
} from './remote-allowance.ts';

/** What to check. */
export interface JailOptions {
  /** The checkout root; nothing outside it may be read. */
  readonly root: string;
  /** The overlay directory, resolved against `root` when relative. */
  readonly overlayDir: string;
  /** The hosts remote resources may come from (they are still not walked); none when absent. */
  readonly allowRemote?: RemoteAllowance;
  /** What the refusal tells the user to set, with `<host>` replaced; the Action input when absent. */
  readonly allowRemoteHint?: string;
  /** The most directory entries and files the walk looks at; `defaultJailLimits.maxFiles`. */
  readonly maxFiles?: number;
  /** The largest kustomization or plugin file read; `defaultJailLimits.maxFileBytes`. */
  readonly maxFileBytes?: number;
  /**
   * Where the walk reads files; straight from disk when absent. Pass one `memoizedJailReads()`
   * to the checks of every overlay of a checkout to read shared bases once.
   */
  readonly reads?: JailReads;
}

/** What a refusal tells the user to set when the caller names nothing else: the Action input. */
export const defaultAllowRemoteHint = '`allow-remote: <host>` in the Action inputs';

/** The walk's limits when the caller names none. */
export const defaultJailLimits = { maxFiles: 50_000, maxFileBytes: defaultMaxFileBytes } as const;

interface Walk {
  readonly reads: JailReads;
  readonly root: string;
  readonly allowRemote: RemoteAllowance;
  readonly allowRemoteHint: string;
  readonly maxFiles: number;
  readonly maxFileBytes: number;
  readonly visited: Set<string>;
  readonly scanned: Set<string>;
  readonly violations: JailViolation[];
  readonly remotes: string[];
  counted: number;
  stopped: boolean;
}

/** Every reason not to build the overlay, in the order found; empty when it may be built. */
export async function checkOverlayJail(options: JailOptions): Promise<JailViolation[]> {
  return (await jailOverlay(options)).violations;
}

/** What the walk found: the reasons not to build, and the allowed remotes the build fetches. */
export interface JailReport {
  readonly violations: JailViolation[];
  /**
   * The remote references the allowance let through, redacted (`redactRemote`), once each in
   * the order found; the build fetches them (`remote-fetch.ts`). Their content is not walked.
   */
  readonly remotes: string[];
}

/** Walks the overlay as `checkOverlayJail` does, also listing the allowed remotes. */
export async function jailOverlay(options: JailOptions): Promise<JailReport> {
  const reads = options.reads ?? directJailReads;
  const root = await reads.realpath(options.root);
  const walk: Walk = {
    reads,
    root,
    allowRemote: options.allowRemote ?? noRemote,
    allowRemoteHint: options.allowRemoteHint ?? defaultAllowRemoteHint,
    maxFiles: options.maxFiles ?? defaultJailLimits.maxFiles,
    maxFileBytes: options.maxFileBytes ?? defaultJailLimits.maxFileBytes,
    visited: new Set(),
    scanned: new Set(),
    violations: [],
    remotes: [],
    counted: 0,
    stopped: false,
  };
  const overlay = resolve(root, options.overlayDir);
  await visitKustomization(walk, overlay, {
    field: 'overlayDir',
    value: options.overlayDir,
    file: '.',
  });
  return { violations: walk.violations, remotes: walk.remotes };
}

/** Where something was found: the file, the field and the value. */
interface Origin {
  readonly file: string;
  readonly field: string;
  readonly value: string;
}

async function visitKustomization(walk: Walk, dir: string, origin: Origin): Promise<void> {
  if (walk.stopped) return;
  // A directory that does not exist is kustomize's error to report, unless it points outside.
  const realDir = await walk.reads.realpathOrUndefined(dir);
  if (!inside(walk.root, realDir ?? dir)) return addOutside(walk, origin, realDir ?? dir);
  if (realDir === undefined) return;
  if (walk.visited.has(realDir)) return;
  walk.visited.add(realDir);
  await scanSymlinks(walk, realDir);
  const file = await walk.reads.findKustomizationFile(realDir);
  if (file === undefined || !count(walk, realDir)) return;
  const name = rel(walk.root, file);
  const realFile = await walk.reads.realpathOrUndefined(file);
  if (realFile === undefined || !inside(walk.root, realFile)) return; // reported by the symlink scan
  const read = await walk.reads.readKustomization(realFile, walk.maxFileBytes);
  if ('problem' in read) {
    return add(walk, 'unreadable', { file: name, field: 'file', value: name }, read.problem);
  }
  const facts = factsOf(read.kustomization, name);
  walk.violations.push(...facts.violations);
  for (const ref of facts.refs) {
    if (walk.stopped) return;
    await followReference(walk, realDir, name, ref);
  }
}

/** What one kustomization file says for the walk: its own violations and its references. */
interface Facts {
  readonly name: string;
  readonly violations: readonly JailViolation[];
  readonly refs: readonly Reference[];
}

/**
 * Facts by parsed file. Memoized reads (`memoizedJailReads`) return the same parsed object for a
 * file every time, so a base or component that many overlays share is looked through once, not
 * once per overlay; with reads that parse again, every object is new and nothing is reused.
 */
const factsByKustomization = new WeakMap<Kustomization, Facts>();

function factsOf(kustomization: Kustomization, name: string): Facts {
  const known = factsByKustomization.get(kustomization);
  if (known?.name === name) return known;
  const facts = {
    name,
    violations: kustomizationViolations(kustomization, name),
    refs: references(kustomization),
  };
  factsByKustomization.set(kustomization, facts);
  return facts;
}

async function followReference(
  walk: Walk,
  dir: string,
  file: string,
  ref: Reference,
): Promise<void> {
  const origin = { file, field: ref.field, value: ref.value };
  const target = resolve(dir, ref.value);
  const real = await walk.reads.realpathOrUndefined(target);
  const remote = isRemote(ref.value) || (real === undefined && looksLikeHost(ref.value));
  if (remote) {
    const host = remoteHost(ref.value);
    const url = redactRemote(ref.value);
    if (allowsRemote(walk.allowRemote, host)) {
      if (!walk.remotes.includes(url)) walk.remotes.push(url);
      return;
    }
    const hint = walk.allowRemoteHint.replace('<host>', host ?? '*');
    const message =
      `remote resources are not allowed: ${url} in ${file} would fetch content from ` +
      `${host ?? 'outside the repository'}; to allow it set ${hint}`;
    return add(walk, 'remote', { ...origin, value: url }, message);
  }
  // A path that does not exist is kustomize's error to report, unless it points outside.
  if (!inside(walk.root, real ?? target)) return addOutside(walk, origin, real ?? target);
  if (real === undefined || ref.role === 'file') return;
  if (await walk.reads.isDirectory(real)) return visitKustomization(walk, real, origin);
  if (ref.role === 'plugin' && count(walk, real)) {
    const read = await walk.reads.readBoundedFile(real, walk.maxFileBytes);
    const name = rel(walk.root, real);
    if ('problem' in read)
      add(walk, 'unreadable', { file: name, field: ref.field, value: name }, read.problem);
    else walk.violations.push(...pluginFileViolations(read.text, name, ref.field));
  }
}

/** Walks a directory tree without following symlinks, checking every symlink's target. */
async function scanSymlinks(walk: Walk, dir: string): Promise<void> {
  if ([...walk.scanned].some((done) => inside(done, dir))) return;
  walk.scanned.add(dir);
  const pending = [dir];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    const entries = await walk.reads.readdir(current);
    if (entries === undefined) {
      const name = rel(walk.root, current);
      add(
        walk,
        'unreadable',
        { file: name, field: 'directory', value: name },
        'cannot list the directory',
      );
      continue;
    }
    for (const entry of entries) {
      if (!count(walk, current)) return;
      const path = join(current, entry.name);
      if (entry.isSymbolicLink()) await checkSymlink(walk, path);
      else if (entry.isDirectory() && entry.name !== '.git' && !walk.scanned.has(path))
        pending.push(path);
    }
  }
}

async function checkSymlink(walk: Walk, path: string): Promise<void> {
  const link = await walk.reads.readlink(path);
  // A dangling link is judged by where it would point.
  const target = (await walk.reads.realpathOrUndefined(path)) ?? resolve(dirname(path), link);
  if (inside(walk.root, target)) return;
  const where = { file: rel(walk.root, path), field: 'symlink', value: link };
  add(walk, 'symlink-outside-root', where, `symlink points outside the repository, to ${target}`);
}

/** Counts one more entry; past the limit, records the violation once and stops the walk. */
function count(walk: Walk, where: string): boolean {
  if (walk.stopped) return false;
  walk.counted += 1;
  if (walk.counted <= walk.maxFiles) return true;
  walk.stopped = true;
  const at = { file: rel(walk.root, where), field: 'maxFiles', value: String(walk.maxFiles) };
  add(
    walk,
    'limit',
    at,
    `the walk looked at more than ${walk.maxFiles} files (maxFiles) and stopped`,
  );
  return false;
}

function addOutside(walk: Walk, origin: Origin, real: string): void {
  add(walk, 'outside-root', origin, `resolves to ${real}, outside the repository`);
}

function add(walk: Walk, kind: ViolationKind, origin: Origin, message: string): void {
  walk.violations.push({ kind, ...origin, message });
}
