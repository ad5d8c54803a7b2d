/**
 * The private temporary directory of one build that fetches remotes, watched for size: when
 * what kustomize wrote into it (its clones) passes the limit, the directory's signal aborts, and
 * the caller stops kustomize. The directory is removed on `close`.
 *
 * The size is measured whenever something in the directory changes (a recursive `fs.watch`)
 * and on a timer besides: git writes a large file in a moment and kustomize removes its clone
 * soon after, so a timer alone can miss the peak.
 */
import { watch } from 'node:fs';
import { lstat, mkdtemp, readdir, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';

/** One build's private directory. */
export interface FetchScratch {
  /** The directory, with symlinks resolved. */
  readonly dir: string;
  /** Aborts once the directory holds more than the limit. */
  readonly signal: AbortSignal;
  /** Whether the size limit was passed. */
  exceeded(): boolean;
  /** Stops watching and removes the directory (as far as it can; it never throws). */
  close(): Promise<void>;
}

/** How often the directory's size is measured when nothing is reported, in milliseconds. */
export const defaultScratchPollMs = 250;

/** The least time between two measurements while changes keep coming, in milliseconds. */
const remeasureMs = 20;

/** Makes a fresh private (0700) directory under `parent` and starts watching its size. */
export async function openFetchScratch(
  parent: string,
  maxBytes: number,
  pollMs = defaultScratchPollMs,
): Promise<FetchScratch> {
  const dir = await realpath(await mkdtemp(join(parent, 'kustomize-fetch-')));
  const controller = new AbortController();
  let over = false;
  let closed = false;
  let again = false;
  let measuring: Promise<void> | undefined;
  const measure = (): void => {
    if (closed || over) return;
    if (measuring !== undefined) {
      again = true; // one more measurement once this one ends
      return;
    }
    measuring = directoryBytes(dir).then((bytes) => {
      measuring = undefined;
      if (bytes > maxBytes && !closed) {
        over = true;
        controller.abort(new Error(`more than ${maxBytes} bytes fetched`));
      } else if (again) {
        // Changes keep coming while git writes: measure again soon, not back to back.
        again = false;
        setTimeout(measure, remeasureMs).unref();
      }
    });
  };
  // Not persistent: Node's recursive watch on Linux adds a watcher per directory as it finds
  // them and can still be adding some when closed; those must not keep a process alive.
  const watcher = watch(dir, { recursive: true, persistent: false }, measure);
  watcher.on('error', () => {}); // a directory removed while watched; the timer still measures
  const timer = setInterval(measure, pollMs);
  timer.unref();
  return {
    dir,
    signal: controller.signal,
    exceeded: () => over,
    close: async () => {
      closed = true;
      clearInterval(timer);
      watcher.close();
      await measuring;
      // A git that outlived a stopped kustomize may still be writing: retry, and never let a
      // failed clean-up replace the build's own result.
      await rm(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }).catch(
        () => {},
      );
    },
  };
}

/**
 * The bytes of the files under `dir` (not following symlinks). Files that vanish while it
 * counts (kustomize removes its clones) count as nothing.
 */
export async function directoryBytes(dir: string): Promise<number> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  let total = 0;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const info = await lstat(join(entry.parentPath, entry.name)).catch(() => undefined);
    total += info?.size ?? 0;
  }
  return total;
}
