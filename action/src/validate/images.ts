/**
 * The container images an object runs, found wherever a pod template puts them: any
 * `containers`, `initContainers` or `ephemeralContainers` list whose entries have an `image`
 * (so custom resources that embed a pod spec are covered too). And the warning for images
 * that float: `:latest` or no tag and no digest.
 */
import { checkImageReference } from '@kustodian/shared/images/reference';

/** One container image, with the path of its `image` field (`spec.template.spec.containers[0].image`). */
export interface ContainerImage {
  readonly image: string;
  readonly path: string;
}

const containerLists = ['containers', 'initContainers', 'ephemeralContainers'] as const;

/** Every container image in `object`, in document order. */
export function containerImages(object: unknown): ContainerImage[] {
  const found: ContainerImage[] = [];
  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 64 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (const [index, item] of value.entries()) visit(item, `${path}[${index}]`, depth + 1);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === '' ? key : `${path}.${key}`;
      if ((containerLists as readonly string[]).includes(key) && Array.isArray(child)) {
        child.forEach((container, index) => {
          const image = (container as { image?: unknown } | null)?.image;
          if (typeof image === 'string')
            found.push({ image, path: `${childPath}[${index}].image` });
        });
      }
      visit(child, childPath, depth + 1);
    }
  };
  visit(object, '', 0);
  return found;
}

/** The image's name without tag and digest (`ghcr.io/acme/web:1.2` → `ghcr.io/acme/web`). */
export function imageName(image: string): string {
  const checked = checkImageReference(image);
  if (checked.ok) return checked.reference.name;
  const withoutDigest = image.split('@')[0] ?? image;
  const colon = withoutDigest.lastIndexOf(':');
  return colon > withoutDigest.lastIndexOf('/') ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** Why an image floats (`:latest`, or neither tag nor digest), or `undefined` when it is pinned. */
export function floatingImageProblem(image: string): string | undefined {
  const checked = checkImageReference(image);
  if (!checked.ok) return `image "${image}" is not a valid reference: ${checked.problem}`;
  const { tag, digest } = checked.reference;
  if (digest !== undefined) return undefined;
  if (tag === undefined)
    return `image "${image}" has no tag: it means :latest, which changes under you`;
  if (tag === 'latest')
    return `image "${image}" uses :latest, which changes under you; pin a version or digest`;
  return undefined;
}
