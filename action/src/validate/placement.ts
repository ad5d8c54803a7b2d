/**
 * The same object rendered by two overlays that deploy to the same cluster: both would own it,
 * and each apply would undo the other's.
 *
 * Only what the repository says decides where an overlay goes (see `deployments.ts`): the
 * Application manifests in it (Kustodian's, Argo CD's, Flux's `Kustomization`) and the
 * `kustodian.dev/cluster` annotation on a kustomization or on a rendered object. An overlay
 * the repository places nowhere is never in a clash: directory names are no evidence (two
 * `overlays/prod` of different platforms, or alternative overlays never deployed together,
 * share a last segment without sharing a cluster).
 */
import { compareText } from '@kustodian/shared/manifests/object-id';

/** The annotation that names the cluster an overlay (on its kustomization) or an object deploys to. */
export const clusterAnnotation = 'kustodian.dev/cluster';

/** One place an overlay is deployed to: a cluster, and the namespace of objects that name none. */
export interface Placement {
  readonly cluster: string;
  readonly namespace?: string;
  /** What says so (`clusters/prod/apps.yaml`), for the message. */
  readonly source: string;
}

/** One rendered object, as the check sees it. */
export interface PlacedObject {
  readonly id: string;
  readonly overlay: string;
  /** Whether the object names its namespace (else it takes its placement's). */
  readonly namespaced: boolean;
  /** The object's `kustodian.dev/cluster` annotation, if any: it overrides the overlay's places. */
  readonly cluster?: string;
}

/** One clash: an object that several overlays render into one cluster. */
export interface Clash {
  readonly id: string;
  readonly cluster: string;
  readonly overlays: readonly string[];
  /** What placed the overlays there, sorted. */
  readonly sources: readonly string[];
}

/**
 * Every object id that two or more overlays render into the same cluster (and, for an object
 * naming no namespace, the same default namespace), sorted. `placements` maps an overlay to
 * where it is deployed; objects of an overlay with no placement and no annotation are not checked.
 */
export function findClashes(
  objects: readonly PlacedObject[],
  placements: ReadonlyMap<string, readonly Placement[]>,
): Clash[] {
  const owners = new Map<
    string,
    { id: string; cluster: string; overlays: Set<string>; sources: Set<string> }
  >();
  for (const object of objects) {
    const places =
      object.cluster === undefined
        ? (placements.get(object.overlay) ?? [])
        : [{ cluster: object.cluster, source: `${clusterAnnotation} on ${object.id}` }];
    for (const place of places) {
      const namespace = object.namespaced ? '' : (place.namespace ?? '');
      const key = `${place.cluster}\0${namespace}\0${object.id}`;
      const entry = owners.get(key) ?? {
        id: object.id,
        cluster: place.cluster,
        overlays: new Set<string>(),
        sources: new Set<string>(),
      };
      entry.overlays.add(object.overlay);
      entry.sources.add(place.source);
      owners.set(key, entry);
    }
  }
  return [...owners.values()]
    .filter((entry) => entry.overlays.size > 1)
    .map((entry) => ({
      id: entry.id,
      cluster: entry.cluster,
      overlays: [...entry.overlays].sort(compareText),
      sources: [...entry.sources].sort(compareText),
    }))
    .sort((a, b) => compareText(a.cluster, b.cluster) || compareText(a.id, b.id));
}
