/**
 * The kustomizations an overlay is built from, nearest first: the overlay's own, then its
 * bases and components breadth-first. Read statically, inside the checkout only; each with the
 * `images:` entries it declares, which decide where an image update is written.
 */
import { join, resolve } from 'node:path';
import { isRemote } from '@kustodian/shared/kustomize/jail-rules';
import { baseReferences, fieldOf, listOf } from '@kustodian/shared/kustomize/kustomization';
import {
  findKustomizationFile,
  inside,
  posixRelative,
  readKustomization,
  realpathOrUndefined,
} from '@kustodian/shared/kustomize/read';

/** One `images:` entry as declared. */
export interface ImageEntry {
  readonly name: string;
  readonly newName?: string;
  readonly newTag?: string;
  readonly digest?: string;
}

/** One kustomization of an overlay's tree. */
export interface TreeNode {
  /** Its directory, relative to the repository root. */
  readonly dir: string;
  /** Its file, relative to the repository root. */
  readonly file: string;
  readonly images: readonly ImageEntry[];
}

/** The most kustomizations one tree may hold. */
const maxNodes = 1_000;

/** The tree of `overlay` (relative to `root`, which must be a real path), nearest first. */
export async function overlayTree(root: string, overlay: string): Promise<TreeNode[]> {
  const nodes: TreeNode[] = [];
  const seen = new Set<string>();
  const queue = [resolve(root, overlay)];
  for (let dir = queue.shift(); dir !== undefined && nodes.length < maxNodes; dir = queue.shift()) {
    const real = await realpathOrUndefined(dir);
    if (real === undefined || !inside(root, real) || seen.has(real)) continue;
    seen.add(real);
    const found = await findKustomizationFile(real);
    const file = found === undefined ? undefined : await realpathOrUndefined(found);
    if (file === undefined || !inside(root, file)) continue;
    const read = await readKustomization(file);
    if (!('kustomization' in read)) continue;
    const images = listOf(read.kustomization.images).flatMap(entryOf);
    nodes.push({ dir: posixRelative(root, real), file: posixRelative(root, file), images });
    for (const ref of baseReferences(read.kustomization)) {
      if (!isRemote(ref.value)) queue.push(join(real, ref.value));
    }
  }
  return nodes;
}

function entryOf(value: unknown): ImageEntry[] {
  const name = fieldOf(value, 'name');
  if (typeof name !== 'string') return [];
  const text = (key: string): Record<string, string> => {
    const field = fieldOf(value, key);
    return typeof field === 'string' || typeof field === 'number' ? { [key]: String(field) } : {};
  };
  return [{ name, ...text('newName'), ...text('newTag'), ...text('digest') }];
}
