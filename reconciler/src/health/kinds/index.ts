/**
 * The per-kind health table: `group/Kind` (bare `Kind` for the core group) to its rule. Kinds
 * not listed fall back to their `Ready` condition.
 */
import { alwaysCurrent } from './always-current.ts';
import { crdHealth } from './crd.ts';
import { daemonSetHealth } from './daemonset.ts';
import { deploymentHealth } from './deployment.ts';
import { jobHealth } from './job.ts';
import { namespaceHealth } from './namespace.ts';
import { podHealth } from './pod.ts';
import { pvcHealth } from './pvc.ts';
import { replicaSetHealth } from './replicaset.ts';
import type { KindRule } from './rule.ts';
import { serviceHealth } from './service.ts';
import { statefulSetHealth } from './statefulset.ts';

/** Rules by `group/Kind`. */
export const kindRules: ReadonlyMap<string, KindRule> = new Map<string, KindRule>([
  ['Service', serviceHealth],
  ['Pod', podHealth],
  ['PersistentVolumeClaim', pvcHealth],
  ['Namespace', namespaceHealth],
  ['Secret', alwaysCurrent],
  ['ConfigMap', alwaysCurrent],
  ['apps/Deployment', deploymentHealth],
  ['extensions/Deployment', deploymentHealth],
  ['apps/ReplicaSet', replicaSetHealth],
  ['extensions/ReplicaSet', replicaSetHealth],
  ['apps/StatefulSet', statefulSetHealth],
  ['apps/DaemonSet', daemonSetHealth],
  ['extensions/DaemonSet', daemonSetHealth],
  ['batch/Job', jobHealth],
  ['batch/CronJob', alwaysCurrent],
  ['policy/PodDisruptionBudget', alwaysCurrent],
  ['apiextensions.k8s.io/CustomResourceDefinition', crdHealth],
]);

/** The table key of a kind: `apps/Deployment`, or `Service` for the core group. */
export function ruleKey(group: string, kind: string): string {
  return group === '' ? kind : `${group}/${kind}`;
}
