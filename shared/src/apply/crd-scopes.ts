/**
 * The scope of the kinds a set defines itself: a custom resource of a CRD in the same set cannot
 * be looked up in discovery before the CRD is applied, so its CRD says whether it is namespaced.
 */
import { groupOf } from '../manifests/object-id.ts';
import { isRecord, type AppliedObject as KubeObject } from './object.ts';

/** Kinds defined by CRDs in the set (`group/Kind`), with whether they are namespaced. */
export function crdScopes(objects: readonly KubeObject[]): Map<string, boolean> {
  const scopes = new Map<string, boolean>();
  for (const obj of objects) {
    if (
      obj.kind !== 'CustomResourceDefinition' ||
      groupOf(obj.apiVersion) !== 'apiextensions.k8s.io'
    )
      continue;
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const names = isRecord(spec.names) ? spec.names : {};
    if (typeof spec.group === 'string' && typeof names.kind === 'string') {
      scopes.set(`${spec.group}/${names.kind}`, spec.scope !== 'Cluster');
    }
  }
  return scopes;
}
