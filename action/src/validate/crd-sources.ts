/**
 * Finding the CustomResourceDefinitions of a repository: in the objects its overlays render,
 * and in its YAML files (CRDs are often applied by a different overlay than the resources that
 * use them, or vendored beside them). The file scan is `repo-files.ts`'s, bounded in files and
 * bytes.
 */
import { yamlDocuments } from '@kustodian/shared/kustomize/jail-rules';
import { type CustomKind, customKindsOf, type SchemaCompiler } from './crd.ts';
import { repoFiles } from './repo-files.ts';

const crdKind = 'CustomResourceDefinition';

/** Whether a parsed object is a v1 CustomResourceDefinition. */
export function isCrd(object: unknown): boolean {
  const o = object as { apiVersion?: unknown; kind?: unknown } | null;
  return o?.kind === crdKind && o.apiVersion === 'apiextensions.k8s.io/v1';
}

/** The custom kinds defined by CRDs in the YAML files under `root`. */
export function scanRepositoryCrds(root: string, compiler: SchemaCompiler): CustomKind[] {
  const kinds: CustomKind[] = [];
  for (const { file, text } of repoFiles(root, /\.ya?ml$/i, [crdKind])) {
    for (const doc of yamlDocuments(text) ?? []) {
      if (isCrd(doc)) kinds.push(...customKindsOf(doc, file, compiler));
    }
  }
  return kinds;
}
