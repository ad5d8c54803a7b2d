/**
 * The `none` commit mode: compute the edit on the working copy, so the diff and the
 * validation of the new state are reported, and land nothing.
 */
import type { Git } from '../git/git.ts';
import type { Lander } from './types.ts';

/** Creates the `none` lander over the working copy. */
export function createNoneLander(git: Git): Lander {
  return {
    land: async ({ prepare }) => {
      const changes = await prepare({ dir: git.dir, head: await git.head() });
      const changedPaths = [...new Set(changes.map((change) => change.path))].sort();
      return changedPaths.length === 0
        ? { outcome: 'unchanged', attempts: 1, changedPaths }
        : { outcome: 'dry-run', attempts: 1, changedPaths };
    },
  };
}
