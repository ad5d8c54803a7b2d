/**
 * The private temporary directory of one build that fetches remotes, watched for size: when
 * what kustomize wrote into it (its clones) passes the limit, the directory's signal aborts, and
 * the caller stops kustomize. The directory is removed on `close`.
 */
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
  /** Stops watching and removes the directory. */
  close(): Promise<void>;
}

/** How often the directory's size is measured, in milliseconds. */
export const defaultScratchPollMs = 250;

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
  let timer: NodeJS.Timeout | undefined;
  let measuring: Promise<void> = Promise.resolve();
  const poll = (): void => {
    measuring = directoryBytes(dir).then((bytes) => {
      if (closed) return;
      if (bytes > maxBytes) {
        over = true;
        controller.abort(new Error(`more than ${maxBytes} bytes fetched`));
        return;
      }
      timer = setTimeout(poll, pollMs);
      timer.unref();
    });
  };
  poll();
  return {
    dir,
    signal: controller.signal,
    exceeded: () => over,
    close: async () => {
      closed = true;
      clearTimeout(timer);
      await measuring;
      await rm(dir, { recursive: true, force: true });
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
