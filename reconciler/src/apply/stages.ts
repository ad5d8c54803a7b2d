/**
 * Apply order. Objects go in four stages: cluster definitions (CRDs, Namespaces, ClusterRoles),
 * then classes (`*Class` kinds, often custom resources of a CRD from the first stage), then
 * Roles (a binding to a role can only be made once the role exists, unless the identity may
 * `bind`), then everything else; each stage is applied and waited for before the next. Within a stage, objects
 * are sorted by kind (service accounts before the roles that bind them, config before the
 * workloads that mount it, webhooks last so they cannot block the rest) and then by id.
 * Deletion runs the same order backwards.
 */
import { compareObjectKeys, type ObjectKey } from '@kustodian/shared/manifests/object-id';

/** Stages, in apply order. */
export const applyStages = ['definitions', 'classes', 'roles', 'resources'] as const;
export type ApplyStage = (typeof applyStages)[number];

/** Kinds of the first stage, keyed `group/Kind` (bare Kind for the core group). */
const definitionKinds = new Set([
  'apiextensions.k8s.io/CustomResourceDefinition',
  'Namespace',
  'rbac.authorization.k8s.io/ClusterRole',
]);

/** Kinds applied first within their stage, in this order. */
const firstKinds = [
  'CustomResourceDefinition',
  'Namespace',
  'ClusterRole',
  'PriorityClass',
  'StorageClass',
  'IngressClass',
  'RuntimeClass',
  'ClusterRoleBinding',
  'ResourceQuota',
  'LimitRange',
  'ServiceAccount',
  'Role',
  'RoleBinding',
  'Secret',
  'ConfigMap',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'Service',
  'DaemonSet',
  'Deployment',
  'StatefulSet',
  'ReplicaSet',
  'Job',
  'CronJob',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'Ingress',
];

/** Kinds applied last: admission webhooks and policies could refuse the objects before them. */
const lastKinds = [
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
];

/** The stage of a kind. */
export function stageOf(key: Pick<ObjectKey, 'group' | 'kind'>): ApplyStage {
  const name = key.group === '' ? key.kind : `${key.group}/${key.kind}`;
  if (definitionKinds.has(name)) return 'definitions';
  if (key.kind.endsWith('Class')) return 'classes';
  if (name === 'rbac.authorization.k8s.io/Role') return 'roles';
  return 'resources';
}

/** The rank of a kind within its stage: listed kinds first, unlisted ones next, webhooks last. */
export function kindRank(kind: string): number {
  const first = firstKinds.indexOf(kind);
  if (first >= 0) return first;
  const last = lastKinds.indexOf(kind);
  return last >= 0 ? firstKinds.length + 1 + last : firstKinds.length;
}

/** Apply order: stage, then kind rank, then id order. */
export function compareApplyOrder(a: ObjectKey, b: ObjectKey): number {
  return (
    applyStages.indexOf(stageOf(a)) - applyStages.indexOf(stageOf(b)) ||
    kindRank(a.kind) - kindRank(b.kind) ||
    compareObjectKeys(a, b)
  );
}

/** Items grouped by stage (in stage order, empty stages left out), each sorted by apply order. */
export function planStages<T extends { key: ObjectKey }>(
  items: readonly T[],
): { stage: ApplyStage; items: T[] }[] {
  const sorted = [...items].sort((a, b) => compareApplyOrder(a.key, b.key));
  return applyStages
    .map((stage) => ({ stage, items: sorted.filter((item) => stageOf(item.key) === stage) }))
    .filter((group) => group.items.length > 0);
}
