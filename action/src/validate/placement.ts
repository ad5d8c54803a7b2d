/**
 * The same object rendered by two overlays that deploy to the same place: both would own it,
 * and each apply would undo the other's.
 *
 * "The same place" is decided simply, and by the repository's own layout: an object's cluster
 * is its `kustodian.dev/cluster` annotation when it has one, else the name of its overlay's
 * directory (`apps/web/overlays/production` and `apps/api/overlays/production` both deploy to
 * `production`). Two overlays clash when they render the same object id (group, Kind,
 * namespace, name) for the same cluster.
 */
import { compareText } from '@kustodian/shared/manifests/object-id';

/** The annotation that names the cluster an object deploys to. */
export const clusterAnnotation = 'kustodian.dev/cluster';

/** One rendered object, as the check sees it. */
export interface PlacedObject {
  readonly id: string;
  readonly overlay: string;
  /** The object's `kustodian.dev/cluster` annotation, if any. */
  readonly cluster?: string;
}

/** One clash: an object that several overlays render into one cluster. */
export interface Clash {
  readonly id: string;
  readonly cluster: string;
  readonly overlays: readonly string[];
}

/** The cluster an overlay deploys to by default: the last segment of its path. */
export function defaultCluster(overlay: string): string {
  return overlay === '.' ? '.' : (overlay.split('/').pop() ?? overlay);
}

/** Every object id that two or more overlays render into the same cluster, sorted. */
export function findClashes(objects: readonly PlacedObject[]): Clash[] {
  const owners = new Map<string, { id: string; cluster: string; overlays: Set<string> }>();
  for (const object of objects) {
    const cluster = object.cluster ?? defaultCluster(object.overlay);
    const key = `${cluster}\0${object.id}`;
    const entry = owners.get(key) ?? { id: object.id, cluster, overlays: new Set<string>() };
    entry.overlays.add(object.overlay);
    owners.set(key, entry);
  }
  return [...owners.values()]
    .filter((entry) => entry.overlays.size > 1)
    .map((entry) => ({
      id: entry.id,
      cluster: entry.cluster,
      overlays: [...entry.overlays].sort(compareText),
    }))
    .sort((a, b) => compareText(a.cluster, b.cluster) || compareText(a.id, b.id));
}
