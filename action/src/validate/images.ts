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

/**
 * Every container image in `object`, in document order. The walk keeps the path as a list of
 * steps and spells it out only for an image found, not for every field it passes.
 */
export function containerImages(object: unknown): ContainerImage[] {
  const found: ContainerImage[] = [];
  const steps: (string | number)[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (depth > 64 || typeof value !== 'object' || value === null) return;
    if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        steps.push(index);
        visit(value[index], depth + 1);
        steps.pop();
      }
      return;
    }
    const fields = value as Record<string, unknown>;
    for (const key of Object.keys(fields)) {
      const child = fields[key];
      steps.push(key);
      if ((containerLists as readonly string[]).includes(key) && Array.isArray(child)) {
        child.forEach((container, index) => {
          const image = (container as { image?: unknown } | null)?.image;
          if (typeof image === 'string')
            found.push({ image, path: `${spelled(steps)}[${index}].image` });
        });
      }
      visit(child, depth + 1);
      steps.pop();
    }
  };
  visit(object, 0);
  return found;
}

/** `['spec', 'containers', 0]` → `spec.containers[0]`. */
function spelled(steps: readonly (string | number)[]): string {
  let path = '';
  for (const step of steps) {
    if (typeof step === 'number') path += `[${step}]`;
    else path += path === '' ? step : `.${step}`;
  }
  return path;
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
