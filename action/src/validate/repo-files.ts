/**
 * Walking a repository's YAML files, for the scans that read them beside what the overlays
 * render (CRDs, where overlays are deployed). Bounded in files and bytes, and read with blocking
 * calls, which cost far less CPU per small file than promise-based ones.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { posixRelative, readBoundedFileSync } from '@kustodian/shared/kustomize/read';

/** Limits of a file scan. */
export const repoScanLimits = { maxFiles: 20_000, maxFileBytes: 4 * 1024 * 1024 } as const;

/** One file a scan reads: its path from the repository root, and its text. */
export interface RepoFile {
  readonly file: string;
  readonly text: string;
}

/**
 * The files under `root` (`.git` and `node_modules` left out) whose name matches `names` and
 * whose text holds one of `mentions`, up to {@link repoScanLimits}; others are not returned.
 */
export function* repoFiles(
  root: string,
  names: RegExp,
  mentions: readonly string[],
): Generator<RepoFile> {
  let files = 0;
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of listDirectory(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules')
        pending.push(path);
      if (!entry.isFile() || !names.test(entry.name)) continue;
      if (++files > repoScanLimits.maxFiles) return;
      const read = readBoundedFileSync(path, repoScanLimits.maxFileBytes);
      if (!('text' in read) || !mentions.some((text) => read.text.includes(text))) continue;
      yield { file: posixRelative(root, path), text: read.text };
    }
  }
}

function listDirectory(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
