/**
 * How big a commit's checkout would be, read from `git ls-tree -r -l -z <commit>` before
 * anything is written: a small pack can expand into a huge worktree, so the size cap is checked
 * on the tree, not on the download.
 */

/** The total size of a tree listing and how many files it has. */
export interface TreeSize {
  readonly bytes: number;
  readonly files: number;
}

/**
 * Sums the blob sizes of `git ls-tree -r -l -z` output. Entries read
 * `<mode> SP <type> SP <object> SP+ <size> TAB <path>` and end with NUL; submodule entries
 * (type `commit`, size `-`) are not checked out and count nothing.
 * @throws Error when an entry does not have that shape.
 */
export function treeSize(listing: string): TreeSize {
  let bytes = 0;
  let files = 0;
  for (const entry of listing.split('\0')) {
    if (entry === '') continue;
    const tab = entry.indexOf('\t');
    const [, type, , size] = entry.slice(0, tab).split(/ +/);
    if (tab < 0 || type === undefined || size === undefined) {
      throw new Error(`unexpected git ls-tree entry: ${JSON.stringify(entry.slice(0, 120))}`);
    }
    if (type !== 'blob') continue;
    bytes += Number.parseInt(size, 10);
    files += 1;
  }
  return { bytes, files };
}
