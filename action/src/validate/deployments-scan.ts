/**
 * Reading the repository's YAML files for what says where overlays are deployed (see
 * `deployments.ts`), bounded in files and bytes like the CRD scan, and with blocking reads
 * for the same reason (far less CPU per small file).
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { yamlDocuments } from '@kustodian/shared/kustomize/jail-rules';
import { posixRelative, readBoundedFileSync } from '@kustodian/shared/kustomize/read';
import { crdScanLimits } from './crd-sources.ts';
import { placementsOf, type SourceDocument } from './deployments.ts';
import { clusterAnnotation, type Placement } from './placement.ts';

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
  let files = 0;
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    for (const entry of listDirectory(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules')
        pending.push(path);
      if (!entry.isFile() || !/(\.ya?ml|^Kustomization)$/i.test(entry.name)) continue;
      if (++files > crdScanLimits.maxFiles) return placementsOf(documents);
      const read = readBoundedFileSync(path, crdScanLimits.maxFileBytes);
      if (!('text' in read) || !markers.some((marker) => read.text.includes(marker))) continue;
      const file = posixRelative(root, path);
      for (const doc of yamlDocuments(read.text) ?? []) documents.push({ file, doc });
    }
  }
  return placementsOf(documents);
}

function listDirectory(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
