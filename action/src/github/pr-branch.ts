/**
 * The branch a `commit: pull-request` run commits to, unless `pr-branch` names one.
 *
 * It is derived from the base branch and the *names* of the images the run updates, not their
 * new tags: a later run for the same images (a newer tag, or the same one again) lands on the
 * same branch and updates the open pull request, instead of stacking a second, conflicting pull
 * request next to the first (one branch per dependency, as Renovate does).
 */
import { createHash } from 'node:crypto';
import type { ImageUpdate } from '@kustodian/shared/images/update';

/** Every generated pull request branch starts with this. */
export const pullRequestBranchPrefix = 'kustodian/bump-';

/** `kustodian/bump-<12 hex>`, the same for the same base and the same set of image names. */
export function pullRequestBranch(images: readonly ImageUpdate[], base: string): string {
  const names = [...new Set(images.map((image) => image.name))].sort();
  const digest = createHash('sha256').update(JSON.stringify({ base, names })).digest('hex');
  return `${pullRequestBranchPrefix}${digest.slice(0, 12)}`;
}
