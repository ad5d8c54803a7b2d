/**
 * kustomize's view of object identity and output order, for combining separately built
 * kustomizations the way one build of their parent would (`fan-out.ts`).
 *
 * - Identity (kustomize `resid.ResId.Equals`): group, version, Kind and name, and the namespace
 *   where it counts: empty and `default` are one namespace, and for the Kinds kustomize's
 *   built-in schema knows as cluster-scoped the namespace is ignored. Two objects of one id in a
 *   build make kustomize fail ("may not add resource with an already registered id").
 * - Order: the `legacy` sort that `kustomize build` applies to its whole output
 *   (api `internal/builtins/SortOrderTransformer.go`): Kinds in a fixed order first and last,
 *   the rest by group, version and Kind; then by `Kind.version.group|namespace|name`. Strings
 *   compare by their UTF-8 bytes, as Go's do.
 *
 * Both follow sigs.k8s.io/kustomize api and kyaml v0.21.2, the version in kustomize v5.8.2.
 */
import type { KubeObject } from '../manifests/schema.ts';

/** The parts of an object kustomize identifies it by; `namespace` is `''` when unset. */
export interface KustomizeId {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
}

/** kustomize's id of an object: `apiVersion` split at its first `/` (kyaml `ParseGroupVersion`). */
export function kustomizeIdOf(object: KubeObject): KustomizeId {
  const apiVersion = object.apiVersion;
  const slash = apiVersion.indexOf('/');
  return {
    group: slash < 0 ? '' : apiVersion.slice(0, slash),
    version: slash < 0 ? apiVersion : apiVersion.slice(slash + 1),
    kind: object.kind,
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
  };
}

/**
 * The `apiVersion Kind`s kyaml's built-in schema knows as cluster-scoped (the `false` entries of
 * `precomputedIsNamespaceScoped` in kyaml `openapi/openapi.go`); every other Kind, custom ones
 * included, is namespaced to kustomize.
 */
const clusterScoped: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io/v1 MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1beta1 MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1beta1 ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/v1 ValidatingAdmissionPolicyBinding',
  'apiextensions.k8s.io/v1 CustomResourceDefinition',
  'apiextensions.k8s.io/v1beta1 CustomResourceDefinition',
  'apiregistration.k8s.io/v1 APIService',
  'apiregistration.k8s.io/v1beta1 APIService',
  'certificates.k8s.io/v1 CertificateSigningRequest',
  'certificates.k8s.io/v1beta1 CertificateSigningRequest',
  'flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema',
  'flowcontrol.apiserver.k8s.io/v1beta1 PriorityLevelConfiguration',
  'networking.k8s.io/v1 IngressClass',
  'networking.k8s.io/v1beta1 IngressClass',
  'node.k8s.io/v1 RuntimeClass',
  'node.k8s.io/v1beta1 RuntimeClass',
  'policy/v1beta1 PodSecurityPolicy',
  'rbac.authorization.k8s.io/v1 ClusterRole',
  'rbac.authorization.k8s.io/v1 ClusterRoleBinding',
  'rbac.authorization.k8s.io/v1beta1 ClusterRole',
  'rbac.authorization.k8s.io/v1beta1 ClusterRoleBinding',
  'scheduling.k8s.io/v1 PriorityClass',
  'scheduling.k8s.io/v1beta1 PriorityClass',
  'storage.k8s.io/v1 CSIDriver',
  'storage.k8s.io/v1 CSINode',
  'storage.k8s.io/v1 StorageClass',
  'storage.k8s.io/v1 VolumeAttachment',
  'storage.k8s.io/v1beta1 CSIDriver',
  'storage.k8s.io/v1beta1 CSINode',
  'storage.k8s.io/v1beta1 StorageClass',
  'storage.k8s.io/v1beta1 VolumeAttachment',
  'v1 ComponentStatus',
  'v1 Namespace',
  'v1 Node',
  'v1 NodeProxyOptions',
  'v1 PersistentVolume',
]);

/** A key equal for two objects exactly when kustomize takes them for the same object. */
export function identityKey(id: KustomizeId): string {
  const apiVersion = id.group === '' ? id.version : `${id.group}/${id.version}`;
  const scoped = clusterScoped.has(`${apiVersion} ${id.kind}`);
  const namespace = scoped ? '' : id.namespace === '' ? 'default' : id.namespace;
  return [id.group, id.version, id.kind, id.name, scoped ? '-' : `+${namespace}`].join('\u0000');
}

const orderFirst = [
  'Namespace',
  'ResourceQuota',
  'StorageClass',
  'CustomResourceDefinition',
  'ServiceAccount',
  'PodSecurityPolicy',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ConfigMap',
  'Secret',
  'Endpoints',
  'Service',
  'LimitRange',
  'PriorityClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Deployment',
  'StatefulSet',
  'CronJob',
  'PodDisruptionBudget',
];
const orderLast = ['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'];

/** Kind → rank: negative for `orderFirst`, 0 for the rest, positive for `orderLast`. */
const typeOrders: ReadonlyMap<string, number> = new Map([
  ...orderFirst.map((kind, i) => [kind, i - orderFirst.length] as const),
  ...orderLast.map((kind, i) => [kind, i + 1] as const),
]);

/** kustomize's legacy order: negative when `a` comes first (`legacyIDSorter.Less`). */
export function compareLegacy(a: KustomizeId, b: KustomizeId): number {
  if (a.group !== b.group || a.version !== b.version || a.kind !== b.kind) {
    return gvkLessThan(a, b) ? -1 : 1;
  }
  return compareGo(resIdSortString(a), resIdSortString(b));
}

function gvkLessThan(a: KustomizeId, b: KustomizeId): boolean {
  const rankA = typeOrders.get(a.kind) ?? 0;
  const rankB = typeOrders.get(b.kind) ?? 0;
  if (rankA !== rankB) return rankA < rankB;
  const namespaces = a.kind === 'Namespace' && b.kind === 'Namespace';
  if (namespaces && (a.group === '' || b.group === '')) {
    return compareGo(gvkSortString(a), gvkSortString(b)) > 0;
  }
  return compareGo(gvkSortString(a), gvkSortString(b)) < 0;
}

/** `legacyGVKSortString`: `group_version_kind`, with `~G`, `~V`, `~K` for empty parts. */
function gvkSortString(id: KustomizeId): string {
  return [id.group || '~G', id.version || '~V', id.kind || '~K'].join('_');
}

/** `legacyResIDSortString`: `Kind.version.group|namespace|name` (`resid.Gvk.String`). */
function resIdSortString(id: KustomizeId): string {
  const gvk = [id.kind || '[noKind]', id.version || '[noVer]', id.group || '[noGrp]'].join('.');
  return [gvk, id.namespace || '~X', id.name || '~N'].join('|');
}

// UTF-16 code units order strings as UTF-8 bytes do, up to the surrogates: past U+D7FF they
// can disagree (a surrogate pair sorts before U+E000..U+FFFF as code units, after it as bytes).
const pastSurrogates = /[\uD800-\uFFFF]/;

/** Go's string comparison: by UTF-8 bytes. */
function compareGo(a: string, b: string): number {
  if (a === b) return 0;
  if (!pastSurrogates.test(a) && !pastSurrogates.test(b)) return a < b ? -1 : 1;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
