/**
 * Messages speak of the repository, never of where it happens to be checked out: kustomize's
 * stderr names absolute paths (`accumulating resources from '/tmp/kustodian-abc/repo/apps/x'`),
 * and a temporary checkout path in an annotation, a job summary or an Application condition
 * means nothing to its reader and changes from run to run.
 */
import { realpathSync } from 'node:fs';
import { sep } from 'node:path';

/** The ways a checkout's root may be spelled in a message: as given and after `realpath`. */
export function rootSpellings(root: string): string[] {
  const spellings = new Set([stripSep(root)]);
  try {
    spellings.add(stripSep(realpathSync(root)));
  } catch {
    // A root that no longer exists is still spelled as given.
  }
  // Longest first, so that `/tmp/x/repo` is replaced before a shorter spelling inside it.
  return [...spellings].filter((s) => s !== '').sort((a, b) => b.length - a.length);
}

/**
 * `text` with every path under `root` made relative to it (`/tmp/k/repo/apps/x` → `apps/x`,
 * the root itself → `.`). Text that names no such path comes back unchanged.
 */
export function relativeToRoot(text: string, root: string): string {
  let out = text;
  for (const spelling of rootSpellings(root)) {
    out = out.split(`${spelling}${sep}`).join('');
    out = out.replace(new RegExp(`${escapeRegExp(spelling)}(?![\\w.-])`, 'g'), '.');
  }
  return out;
}

function stripSep(path: string): string {
  return path.length > 1 && path.endsWith(sep) ? path.slice(0, -1) : path;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
