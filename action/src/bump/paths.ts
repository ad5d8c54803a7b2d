/**
 * The `paths` input: globs of kustomization directories, matched inside the checkout. Each
 * match must hold a kustomization file that, after resolving symlinks, is still inside the
 * checkout; a glob that selects no such directory is a problem, not silently nothing. A glob
 * starting with `!` excludes what it matches, the last matching glob deciding (as in
 * `@actions/glob`); `paths` of exclusions only keep the default choice of file, never an
 * excluded one (see `step/plan.ts`).
 */
import { glob } from 'node:fs/promises';
import { join } from 'node:path';
import { negation, selectedBy } from '@kustodian/shared/kustomize/discover';
import {
  findKustomizationFile,
  inside,
  posixRelative,
  realpathOrUndefined,
} from '@kustodian/shared/kustomize/read';
import { compareText } from '@kustodian/shared/manifests/object-id';
import { error, type Problem } from '../validate/problems.ts';

/** The kustomization files selected, relative to the root, and the problems found. */
export interface SelectedFiles {
  readonly files: readonly string[];
  readonly problems: readonly Problem[];
}

/** Resolves `globs` against the checkout at `root` (a real path). */
export async function selectKustomizations(
  root: string,
  globs: readonly string[],
): Promise<SelectedFiles> {
  const files = new Set<string>();
  const problems: Problem[] = [];
  for (const pattern of globs.filter((each) => !negation(each).negate)) {
    let matched = 0;
    for await (const dir of glob(negation(pattern).glob, {
      cwd: root,
      exclude: (name) => name === '.git',
    })) {
      if (!selectedBy(globs, dir)) continue;
      const real = await realpathOrUndefined(join(root, dir));
      if (real === undefined) continue;
      if (!inside(root, real)) {
        problems.push(
          error(
            'inputs',
            `paths: "${pattern}" matches ${dir}, which resolves outside the repository`,
          ),
        );
        continue;
      }
      const file = await findKustomizationFile(real);
      const realFile = file === undefined ? undefined : await realpathOrUndefined(file);
      if (realFile === undefined) continue;
      if (!inside(root, realFile)) {
        problems.push(
          error(
            'inputs',
            `paths: ${posixRelative(root, file ?? real)} resolves outside the repository`,
          ),
        );
        continue;
      }
      files.add(posixRelative(root, realFile));
      matched++;
    }
    if (matched === 0) {
      problems.push(
        error(
          'inputs',
          `paths: "${pattern}" matches no directory with a kustomization file${globs.length > 1 ? ' that a later exclusion keeps' : ''}`,
        ),
      );
    }
  }
  return { files: [...files].sort(compareText), problems };
}
