/**
 * Where the repository says its overlays are deployed, read from its YAML files:
 *
 * - a Kustodian `Application` (`kustodian.dev/*`): `spec.source.path` to the cluster it is
 *   applied to, which is its `kustodian.dev/cluster` annotation, else the directory holding the
 *   manifest (Applications applied together, as `kubectl apply -k <dir>` does, share a cluster);
 *   `spec.destination.namespace` is the namespace of objects that name none;
 * - an Argo CD `Application` (`argoproj.io/*`): `spec.source.path` (and each of
 *   `spec.sources[].path`) to `spec.destination.name`, else `spec.destination.server`;
 * - a Flux `Kustomization` (`kustomize.toolkit.fluxcd.io/*`): `spec.path` to the cluster of
 *   `spec.kubeConfig.secretRef.name` when set, else, as for Kustodian's, its annotation or its
 *   directory; `spec.targetNamespace` is the namespace;
 * - a kustomization file whose `metadata.annotations` has `kustodian.dev/cluster`: its own
 *   directory to that cluster, in place of what any Application says.
 *
 * Pure: the documents are read by `scanPlacements` (`deployments-scan.ts`).
 */
import { posix } from 'node:path';
import { kustomizationFileNames } from '@kustodian/shared/kustomize/kustomization';
import { clusterAnnotation, type Placement } from './placement.ts';

/** One YAML document and the repository-relative file it came from. */
export interface SourceDocument {
  readonly file: string;
  readonly doc: unknown;
}

/** The placements of overlay directories (repository-relative, `.` for the root). */
export function placementsOf(documents: readonly SourceDocument[]): Map<string, Placement[]> {
  const fromApplications = new Map<string, Placement[]>();
  const fromKustomizations = new Map<string, Placement[]>();
  for (const { file, doc } of documents) {
    const annotated = kustomizationPlacement(file, doc);
    if (annotated !== undefined) add(fromKustomizations, posix.dirname(file), annotated);
    for (const [path, placement] of applicationPlacements(file, doc)) {
      add(fromApplications, path, placement);
    }
  }
  return new Map([...fromApplications, ...fromKustomizations]);
}

function add(map: Map<string, Placement[]>, path: string, placement: Placement): void {
  map.set(path, [...(map.get(path) ?? []), placement]);
}

type Fields = Readonly<Record<string, unknown>>;

function record(value: unknown): Fields {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Fields)
    : {};
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A path as Argo CD, Flux and Kustodian read it: relative to the root, `./` and `/` trimmed. */
export function normalizedPath(path: string): string {
  return posix.normalize(path.replace(/^\/+/, '')).replace(/\/+$/, '') || '.';
}

function annotationOf(doc: Fields): string | undefined {
  return text(record(record(doc.metadata).annotations)[clusterAnnotation]);
}

function kustomizationPlacement(file: string, value: unknown): Placement | undefined {
  const doc = record(value);
  const isFile = (kustomizationFileNames as readonly string[]).includes(posix.basename(file));
  if (!isFile || (doc.kind !== undefined && doc.kind !== 'Kustomization')) return undefined;
  const cluster = annotationOf(doc);
  return cluster === undefined ? undefined : { cluster: `"${cluster}"`, source: file };
}

/** The cluster an in-cluster controller's manifest deploys to: its annotation, else its directory's. */
function appliedTo(file: string, doc: Fields): string {
  const cluster = annotationOf(doc);
  return cluster === undefined ? `the one ${posix.dirname(file)}/ is applied to` : `"${cluster}"`;
}

function applicationPlacements(file: string, value: unknown): [string, Placement][] {
  const doc = record(value);
  const apiVersion = text(doc.apiVersion) ?? '';
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const spec = record(doc.spec);
  const at = (path: unknown, cluster: string, namespace: unknown): [string, Placement][] => {
    const ns = text(namespace);
    const placement = { cluster, source: file, ...(ns === undefined ? {} : { namespace: ns }) };
    return [[normalizedPath(text(path) ?? '.'), placement]];
  };
  if (group === 'kustodian.dev' && doc.kind === 'Application') {
    const destination = record(spec.destination);
    return at(record(spec.source).path, appliedTo(file, doc), destination.namespace);
  }
  if (group === 'argoproj.io' && doc.kind === 'Application') {
    const destination = record(spec.destination);
    const cluster = text(destination.name) ?? text(destination.server);
    if (cluster === undefined) return [];
    const sources = [spec.source, ...(Array.isArray(spec.sources) ? spec.sources : [])];
    return sources
      .map(record)
      .filter((source) => text(source.path) !== undefined)
      .flatMap((source) => at(source.path, `"${cluster}"`, destination.namespace));
  }
  if (group === 'kustomize.toolkit.fluxcd.io' && doc.kind === 'Kustomization') {
    const secret = text(record(record(spec.kubeConfig).secretRef).name);
    const cluster = secret === undefined ? appliedTo(file, doc) : `of kubeConfig "${secret}"`;
    return at(spec.path, cluster, spec.targetNamespace);
  }
  return [];
}
