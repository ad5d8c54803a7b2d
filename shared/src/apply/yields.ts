/**
 * Fields that another controller owns by design, left out of what is applied so that the
 * reconciler never claims them and never reverts them:
 *
 * - a ClusterRole with an `aggregationRule`: its `rules` are written by the clusterrole
 *   aggregation controller (platforms ship such roles with `rules: []`; applying that reverted
 *   the aggregated rules on every change, and users bound to the role lost them in between);
 * - a `caBundle` that git leaves empty in webhook configurations, in a CRD's conversion webhook
 *   and in an APIService: a CA injector (cert-manager's cainjector, a service's own
 *   controller) fills it in.
 *
 * - the `spec.replicas` of a workload that a HorizontalPodAutoscaler of the same set scales,
 *   once the autoscaler has set them (its write through the scale subresource moves the field
 *   to its manager). Until then the reconciler keeps applying the value from git: leaving out a
 *   field it still owns would reset it to the default of 1 replica.
 *
 * A field that is absent is not claimed anyway; these are the ones a manifest states but means
 * to leave to someone else. One small pure function per kind, keyed by `group/Kind`.
 */
import { groupOf } from '../manifests/object-id.ts';
import { type AppliedObject, isRecord, type AppliedObject as KubeObject } from './object.ts';
import { fieldManager } from './ownership.ts';

/** What one kind leaves to another controller: `obj` without those fields. */
export type Yield = (obj: KubeObject) => KubeObject;

/** `group/Kind` → what the kind yields (the core group is the empty string). */
export type YieldTable = ReadonlyMap<string, Yield>;

/** The well-known cases above; the default of {@link withoutYieldedFields}. */
export const wellKnownYields: YieldTable = new Map<string, Yield>([
  ['rbac.authorization.k8s.io/ClusterRole', aggregatedRules],
  ['admissionregistration.k8s.io/ValidatingWebhookConfiguration', webhookCaBundles],
  ['admissionregistration.k8s.io/MutatingWebhookConfiguration', webhookCaBundles],
  ['apiextensions.k8s.io/CustomResourceDefinition', conversionCaBundle],
  ['apiregistration.k8s.io/APIService', apiServiceCaBundle],
]);

/** `obj` without the fields another controller owns by design (the same object if none). */
export function withoutYieldedFields(
  obj: KubeObject,
  table: YieldTable = wellKnownYields,
): KubeObject {
  const yieldOf = table.get(`${groupOf(obj.apiVersion)}/${obj.kind}`);
  return yieldOf ? yieldOf(obj) : obj;
}

/** An aggregated ClusterRole's `rules` belong to the aggregation controller. */
function aggregatedRules(obj: KubeObject): KubeObject {
  if (!isRecord(obj.aggregationRule) || !('rules' in obj)) return obj;
  const { rules: _rules, ...rest } = obj;
  return rest;
}

/** Each webhook's empty `clientConfig.caBundle` is left to the CA injector. */
function webhookCaBundles(obj: KubeObject): KubeObject {
  if (!Array.isArray(obj.webhooks) || !obj.webhooks.some(hasEmptyCaBundle)) return obj;
  const webhooks = obj.webhooks.map((webhook: unknown) =>
    isRecord(webhook) && hasEmptyCaBundle(webhook)
      ? { ...webhook, clientConfig: withoutCaBundle(webhook.clientConfig) }
      : webhook,
  );
  return { ...obj, webhooks };
}

/** A CRD's conversion webhook's empty `caBundle` is left to the CA injector. */
function conversionCaBundle(obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  const conversion = spec && isRecord(spec.conversion) ? spec.conversion : undefined;
  const webhook = conversion && isRecord(conversion.webhook) ? conversion.webhook : undefined;
  if (!spec || !conversion || !webhook || !hasEmptyCaBundle(webhook)) return obj;
  const clientConfig = withoutCaBundle(webhook.clientConfig);
  return {
    ...obj,
    spec: { ...spec, conversion: { ...conversion, webhook: { ...webhook, clientConfig } } },
  };
}

/** An APIService's empty `spec.caBundle` is left to whoever serves it. */
function apiServiceCaBundle(obj: KubeObject): KubeObject {
  const spec = isRecord(obj.spec) ? obj.spec : undefined;
  if (!spec || !isEmpty(spec.caBundle)) return obj;
  const { caBundle: _caBundle, ...rest } = spec;
  return { ...obj, spec: rest };
}

function hasEmptyCaBundle(holder: unknown): boolean {
  return (
    isRecord(holder) &&
    isRecord(holder.clientConfig) &&
    'caBundle' in holder.clientConfig &&
    isEmpty(holder.clientConfig.caBundle)
  );
}

function withoutCaBundle(clientConfig: unknown): Record<string, unknown> {
  const { caBundle: _caBundle, ...rest } = isRecord(clientConfig) ? clientConfig : {};
  return rest;
}

/** `caBundle: ""`, `caBundle: null` or `caBundle:` with nothing after it. */
function isEmpty(value: unknown): boolean {
  return value === '' || value === null;
}

/**
 * The workloads a HorizontalPodAutoscaler of `objects` scales, as `group/Kind/namespace/name`
 * (the namespace as given on the autoscaler, which names no other).
 */
export function autoscaleTargets(objects: readonly AppliedObject[]): Set<string> {
  const targets = new Set<string>();
  for (const obj of objects) {
    if (groupOf(obj.apiVersion) !== 'autoscaling' || obj.kind !== 'HorizontalPodAutoscaler')
      continue;
    const spec = isRecord(obj.spec) ? obj.spec : {};
    const ref = isRecord(spec.scaleTargetRef) ? spec.scaleTargetRef : {};
    if (typeof ref.kind !== 'string' || typeof ref.name !== 'string') continue;
    const group = typeof ref.apiVersion === 'string' ? groupOf(ref.apiVersion) : '';
    targets.add(`${group}/${ref.kind}/${obj.metadata.namespace ?? ''}/${ref.name}`);
  }
  return targets;
}

/** The key of `obj` in {@link autoscaleTargets}. */
export function autoscaleKey(obj: AppliedObject): string {
  return `${groupOf(obj.apiVersion)}/${obj.kind}/${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
}

/**
 * `desired` without `spec.replicas` when its autoscaler has taken them over in `live` (the
 * reconciler's field manager no longer holds them); otherwise `desired` as it is.
 */
export function withReplicasLeftToAutoscaler(desired: KubeObject, live: KubeObject): KubeObject {
  const spec = isRecord(desired.spec) ? desired.spec : undefined;
  if (!spec || !('replicas' in spec) || holdsReplicas(live)) return desired;
  const { replicas: _replicas, ...rest } = spec;
  return { ...desired, spec: rest };
}

function holdsReplicas(live: KubeObject): boolean {
  const entries = Array.isArray(live.metadata.managedFields) ? live.metadata.managedFields : [];
  return entries.filter(isRecord).some((entry) => {
    if (entry.manager !== fieldManager || entry.subresource) return false;
    const spec = isRecord(entry.fieldsV1) ? entry.fieldsV1['f:spec'] : undefined;
    return isRecord(spec) && 'f:replicas' in spec;
  });
}
