/**
 * What a retry may keep from the head it planned on before. After a lost race the usual news
 * is small: the other runs edited kustomization files (their own image bumps). Only the
 * overlays whose kustomization tree holds a changed file can render differently, so only those
 * are built again, and the CRD catalog (read from the repository's YAML files, never from a
 * kustomization file) is kept. Any other change (a resource, a CRD, a file no overlay's tree
 * names, a different set of overlays) re-plans from scratch.
 */
import { basename } from 'node:path';
import { kustomizationFileNames } from '@kustodian/shared/kustomize/kustomization';
import { overlayTree } from '../bump/tree.ts';
import type { RenderedOverlay } from '../validate/render.ts';

/** The earlier head's overlays, as discovered and built. */
export interface EarlierHead {
  readonly overlays: readonly string[];
  readonly rendered: readonly RenderedOverlay[];
}

/** Which overlays to build again on the newer head, and which earlier builds stay good. */
export interface Reuse {
  readonly rebuild: readonly string[];
  readonly kept: readonly RenderedOverlay[];
}

/**
 * The reuse `changed` (paths that differ between the earlier head and the newer one at `root`)
 * allows, or `undefined` when everything must be built again. `overlays` are the newer head's.
 */
export async function reusable(
  root: string,
  earlier: EarlierHead,
  overlays: readonly string[],
  changed: readonly string[],
): Promise<Reuse | undefined> {
  const same =
    overlays.length === earlier.overlays.length &&
    overlays.every((overlay, index) => earlier.overlays[index] === overlay);
  if (!same || !changed.every(isKustomizationFile)) return undefined;
  const rebuild: string[] = [];
  const named = new Set<string>();
  for (const overlay of overlays) {
    const files = (await overlayTree(root, overlay)).map((node) => node.file);
    for (const file of files) named.add(file);
    if (files.some((file) => changed.includes(file))) rebuild.push(overlay);
  }
  if (!changed.every((path) => named.has(path))) return undefined;
  const kept = earlier.rendered.filter((result) => !rebuild.includes(result.overlay));
  return { rebuild, kept };
}

/** Whether `path` is a kustomization file by its name. */
export function isKustomizationFile(path: string): boolean {
  return (kustomizationFileNames as readonly string[]).includes(basename(path));
}
