/**
 * The filesystem reads of the build jail, behind one small interface so that a run that checks
 * many overlays of one checkout reads and parses each shared base and component once.
 *
 * Overlays of a config repository share most of their graph (a base per app, common
 * components), and the walk reads the same kustomizations and lists the same directories for
 * every overlay. `memoizedJailReads` remembers each answer (a promise, so concurrent walks
 * share one read) for as long as the caller keeps it: one validation of one checkout, never
 * across an edit of the files.
 */
import { type Dirent, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import { readdir, readlink, realpath, stat } from 'node:fs/promises';
import {
  findKustomizationFile,
  findKustomizationFileSync,
  type KustomizationResult,
  type ReadResult,
  readBoundedFile,
  readBoundedFileSync,
  readKustomization,
  readKustomizationSync,
  realpathOrUndefined,
  realpathOrUndefinedSync,
} from './read.ts';

/** What the jail walk reads. Every method may be memoized; none changes anything. */
export interface JailReads {
  /** The real path of an existing path (throws when it does not exist). */
  realpath(path: string): Promise<string>;
  /** The real path, or `undefined` when it does not exist. */
  realpathOrUndefined(path: string): Promise<string | undefined>;
  /** The entries of a directory, or `undefined` when it cannot be listed. */
  readdir(dir: string): Promise<Dirent[] | undefined>;
  readlink(path: string): Promise<string>;
  /** Whether an existing path is a directory (following symlinks). */
  isDirectory(path: string): Promise<boolean>;
  findKustomizationFile(dir: string): Promise<string | undefined>;
  readKustomization(file: string, maxBytes: number): Promise<KustomizationResult>;
  readBoundedFile(file: string, maxBytes: number): Promise<ReadResult>;
}

/** Reads straight from the filesystem, every time. */
export const directJailReads: JailReads = {
  realpath: (path) => realpath(path),
  realpathOrUndefined,
  readdir: (dir) => readdir(dir, { withFileTypes: true }).catch(() => undefined),
  readlink: (path) => readlink(path),
  isDirectory: async (path) => (await stat(path)).isDirectory(),
  findKustomizationFile,
  readKustomization,
  readBoundedFile,
};

/**
 * The same reads made with blocking calls, answered as settled promises. A blocking read costs
 * a small fraction of the CPU of a promise-based one (no thread pool round trip per call), which
 * matters when a walk reads hundreds of small files; use it where nothing else has to be served
 * meanwhile, such as a one-shot CLI run. Reads stay bounded, so no single call blocks for long.
 */
export const blockingJailReads: JailReads = {
  realpath: async (path) => realpathSync.native(path),
  realpathOrUndefined: async (path) => realpathOrUndefinedSync(path),
  readdir: async (dir) => {
    try {
      return readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
  },
  readlink: async (path) => readlinkSync(path),
  isDirectory: async (path) => statSync(path).isDirectory(),
  findKustomizationFile: async (dir) => findKustomizationFileSync(dir),
  readKustomization: async (file, maxBytes) => readKustomizationSync(file, maxBytes),
  readBoundedFile: async (file, maxBytes) => readBoundedFileSync(file, maxBytes),
};

/**
 * Reads through `directJailReads` once per question and answers repeats from memory. Keep one
 * for the overlays of one checkout while its files do not change.
 */
export function memoizedJailReads(reads: JailReads = directJailReads): JailReads {
  const memo = new Map<string, Promise<unknown>>();
  const once = <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let answer = memo.get(key) as Promise<T> | undefined;
    if (answer === undefined) {
      answer = read();
      memo.set(key, answer);
    }
    return answer;
  };
  return {
    realpath: (path) => once(`realpath\0${path}`, () => reads.realpath(path)),
    realpathOrUndefined: (path) =>
      once(`realpath?\0${path}`, () => reads.realpathOrUndefined(path)),
    readdir: (dir) => once(`readdir\0${dir}`, () => reads.readdir(dir)),
    readlink: (path) => once(`readlink\0${path}`, () => reads.readlink(path)),
    isDirectory: (path) => once(`isDirectory\0${path}`, () => reads.isDirectory(path)),
    findKustomizationFile: (dir) =>
      once(`kustomization\0${dir}`, () => reads.findKustomizationFile(dir)),
    readKustomization: (file, maxBytes) =>
      once(`parse\0${maxBytes}\0${file}`, () => reads.readKustomization(file, maxBytes)),
    readBoundedFile: (file, maxBytes) =>
      once(`read\0${maxBytes}\0${file}`, () => reads.readBoundedFile(file, maxBytes)),
  };
}
