/**
 * Finding the CustomResourceDefinitions of a repository: in the objects its overlays render,
 * and in its YAML files (CRDs are often applied by a different overlay than the resources that
 * use them, or vendored beside them). The file scan is bounded in files and bytes, and reads
 * with blocking calls, which cost far less CPU per small file than promise-based ones.
 */
import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { yamlDocuments } from '@kustodian/shared/kustomize/jail-rules';
import { posixRelative, readBoundedFileSync } from '@kustodian/shared/kustomize/read';
import type { Ajv } from 'ajv';
import { type CustomKind, customKindsOf } from './crd.ts';

/** Limits of the file scan. */
export const crdScanLimits = { maxFiles: 20_000, maxFileBytes: 4 * 1024 * 1024 } as const;

const crdKind = 'CustomResourceDefinition';

/** Whether a parsed object is a v1 CustomResourceDefinition. */
export function isCrd(object: unknown): boolean {
  const o = object as { apiVersion?: unknown; kind?: unknown } | null;
  return o?.kind === crdKind && o.apiVersion === 'apiextensions.k8s.io/v1';
}

/** The custom kinds defined by CRDs in the YAML files under `root`. */
export function scanRepositoryCrds(root: string, ajv: Ajv): CustomKind[] {
  const kinds: CustomKind[] = [];
  let files = 0;
  const pending = [root];
  for (let dir = pending.pop(); dir !== undefined; dir = pending.pop()) {
    const entries = listDirectory(dir);
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== '.git' && entry.name !== 'node_modules')
        pending.push(path);
      if (!entry.isFile() || !/\.ya?ml$/i.test(entry.name)) continue;
      if (++files > crdScanLimits.maxFiles) return kinds;
      const read = readBoundedFileSync(path, crdScanLimits.maxFileBytes);
      if (!('text' in read) || !read.text.includes(crdKind)) continue;
      for (const doc of yamlDocuments(read.text) ?? []) {
        if (isCrd(doc)) kinds.push(...customKindsOf(doc, posixRelative(root, path), ajv));
      }
    }
  }
  return kinds;
}

function listDirectory(dir: string): Dirent[] {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}
