/**
 * Reading the repository's YAML files for what says where overlays are deployed (see
 * `deployments.ts`), through the same bounded walk as the CRD scan (`repo-files.ts`).
 */
import { yamlDocuments } from '@kustodian/shared/kustomize/jail-rules';
import { placementsOf, type SourceDocument } from './deployments.ts';
import { clusterAnnotation, type Placement } from './placement.ts';
import { repoFiles } from './repo-files.ts';

/** Text any document that places an overlay holds; other files are not parsed. */
const markers = [
  clusterAnnotation,
  'argoproj.io/',
  'kustomize.toolkit.fluxcd.io/',
  'kustodian.dev/',
];

/** Where the YAML files under `root` say its overlays are deployed. */
export function scanPlacements(root: string): Map<string, Placement[]> {
  const documents: SourceDocument[] = [];
  for (const { file, text } of repoFiles(root, /(\.ya?ml|^Kustomization)$/i, markers)) {
    for (const doc of yamlDocuments(text) ?? []) documents.push({ file, doc });
  }
  return placementsOf(documents);
}
