/**
 * Reading kustomization and plugin files from a checkout that may be hostile: only regular
 * files (a FIFO or a device would block or never end), at most a given size, parsed with the
 * jail's YAML settings. Problems come back as data. Also the path helpers the jail and the
 * overlay search share.
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
  type Stats,
} from 'node:fs';
import { lstat, open, realpath } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { yamlDocuments } from './jail-rules.ts';
import { type Kustomization, kustomizationFileNames } from './kustomization.ts';

/** The largest kustomization or plugin file read, unless the caller says otherwise. */
export const defaultMaxFileBytes = 1024 * 1024;

/** A file's text, or why it could not be read. */
export type ReadResult = { readonly text: string } | { readonly problem: string };

/** A parsed kustomization, or why it could not be read. */
export type KustomizationResult =
  | { readonly kustomization: Kustomization }
  | { readonly problem: string };

/** The kustomization file in `dir` (it may be a symlink), in kustomize's order of names. */
export async function findKustomizationFile(dir: string): Promise<string | undefined> {
  for (const name of kustomizationFileNames) {
    const file = join(dir, name);
    try {
      await lstat(file);
      return file;
    } catch {
      // Not this name.
    }
  }
  return undefined;
}

/** {@link findKustomizationFile}, blocking. */
export function findKustomizationFileSync(dir: string): string | undefined {
  for (const name of kustomizationFileNames) {
    const file = join(dir, name);
    if (lstatSync(file, { throwIfNoEntry: false }) !== undefined) return file;
  }
  return undefined;
}

// O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer forever.
const readFlags = constants.O_RDONLY | constants.O_NONBLOCK;

/** Reads a regular file of at most `maxBytes` bytes, without ever blocking on a FIFO. */
export async function readBoundedFile(
  file: string,
  maxBytes = defaultMaxFileBytes,
): Promise<ReadResult> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, readFlags);
  } catch (thrown) {
    return cannotOpen(thrown);
  }
  try {
    const info = await handle.stat();
    const refused = refusal(info, maxBytes);
    if (refused !== undefined) return refused;
    const buffer = bufferFor(info, maxBytes);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return textOf(buffer, bytesRead);
  } finally {
    await handle.close();
  }
}

/**
 * {@link readBoundedFile} with blocking calls: far less CPU per file than the promise-based
 * one, for a caller with nothing else to serve while it reads.
 */
export function readBoundedFileSync(file: string, maxBytes = defaultMaxFileBytes): ReadResult {
  let fd: number;
  try {
    fd = openSync(file, readFlags);
  } catch (thrown) {
    return cannotOpen(thrown);
  }
  try {
    const info = fstatSync(fd);
    const refused = refusal(info, maxBytes);
    if (refused !== undefined) return refused;
    const buffer = bufferFor(info, maxBytes);
    return textOf(buffer, readSync(fd, buffer, 0, buffer.length, 0));
  } finally {
    closeSync(fd);
  }
}

function cannotOpen(thrown: unknown): ReadResult {
  return { problem: `cannot open: ${(thrown as NodeJS.ErrnoException).code ?? 'error'}` };
}

function refusal(info: Stats, maxBytes: number): ReadResult | undefined {
  if (!info.isFile()) return { problem: 'not a regular file' };
  if (info.size > maxBytes) return { problem: `larger than ${maxBytes} bytes` };
  return undefined;
}

/**
 * One byte more than the size stat saw, to notice a file that grows while it is read. Not
 * zero-filled: only the bytes read are ever decoded (`textOf`).
 */
function bufferFor(info: Stats, maxBytes: number): Buffer {
  return Buffer.allocUnsafe(Math.min(info.size, maxBytes) + 1);
}

function textOf(buffer: Buffer, bytesRead: number): ReadResult {
  if (bytesRead >= buffer.length) return { problem: 'changed while being read' };
  return { text: buffer.toString('utf8', 0, bytesRead) };
}

/** Reads and parses a kustomization file: one YAML mapping (an empty file is an empty one). */
export async function readKustomization(
  file: string,
  maxBytes = defaultMaxFileBytes,
): Promise<KustomizationResult> {
  return kustomizationOf(await readBoundedFile(file, maxBytes));
}

/** {@link readKustomization}, blocking. */
export function readKustomizationSync(
  file: string,
  maxBytes = defaultMaxFileBytes,
): KustomizationResult {
  return kustomizationOf(readBoundedFileSync(file, maxBytes));
}

/** A kustomization from a file's text as read: one YAML mapping (an empty file is an empty one). */
export function kustomizationOf(read: ReadResult): KustomizationResult {
  if (!('text' in read)) return read;
  const docs = yamlDocuments(read.text);
  if (docs === undefined) return { problem: 'not valid YAML' };
  if (docs.length > 1) return { problem: 'holds more than one YAML document' };
  const doc = docs[0] ?? {};
  if (doc === null) return { kustomization: {} };
  if (typeof doc !== 'object' || Array.isArray(doc)) return { problem: 'is not a YAML mapping' };
  return { kustomization: doc as Kustomization };
}

/** Whether `path` is `root` or below it (both absolute and already resolved). */
export function inside(root: string, path: string): boolean {
  // Between normalized POSIX paths that is a prefix test, without `relative`'s work.
  if (sep === '/' && isNormalized(root) && isNormalized(path)) {
    if (path === root) return true;
    return path.startsWith(root === '/' ? root : `${root}/`);
  }
  const r = relative(root, path);
  return r === '' || (r !== '..' && !r.startsWith(`..${sep}`) && !isAbsolute(r));
}

/** An absolute POSIX path without `.` or `..` segments, doubled or trailing slashes. */
function isNormalized(path: string): boolean {
  if (!path.startsWith('/') || (path.length > 1 && path.endsWith('/'))) return false;
  return !path.includes('//') && !/\/\.\.?(?:\/|$)/.test(path);
}

/** `path` relative to `root`, `/`-separated; `.` for the root itself. */
export function posixRelative(root: string, path: string): string {
  return relative(root, path).split(sep).join('/') || '.';
}

/** The real path, or `undefined` when it does not exist (or a symlink on the way dangles). */
export async function realpathOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await realpath(path);
  } catch {
    return undefined;
  }
}

/** {@link realpathOrUndefined}, blocking. */
export function realpathOrUndefinedSync(path: string): string | undefined {
  try {
    return realpathSync.native(path);
  } catch {
    return undefined;
  }
}
