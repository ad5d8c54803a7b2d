/**
 * The API server's checks of `metadata` that no schema states: the name's grammar (which
 * depends on the kind) and the labels' keys and values. The rules follow
 * k8s.io/apimachinery/pkg/util/validation (IsDNS1123Subdomain, IsDNS1123Label, IsDNS1035Label,
 * IsQualifiedName, IsValidLabelValue) and the path-segment names of apimachinery's
 * path.ValidatePathSegmentName.
 */
import { groupOf } from '@kustodian/shared/manifests/object-id';
import type { SchemaViolation } from './builtin.ts';

const dns1123Label = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const dns1035Label = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const qualifiedName = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const labelValue = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** The name grammars of the kinds, as the API server's validation code picks them. */
const nameRules = {
  subdomain: (name: string) =>
    name.length <= 253 && dns1123Subdomain.test(name)
      ? undefined
      : 'expected a lowercase RFC 1123 subdomain (a-z, 0-9, "-", "."; at most 253 characters)',
  label1123: (name: string) =>
    name.length <= 63 && dns1123Label.test(name)
      ? undefined
      : 'expected a lowercase RFC 1123 label (a-z, 0-9, "-"; at most 63 characters)',
  label1035: (name: string) =>
    name.length <= 63 && dns1035Label.test(name)
      ? undefined
      : 'expected a lowercase RFC 1035 label (a-z, 0-9, "-", starting with a letter; at most 63 characters)',
  pathSegment: (name: string) =>
    name !== '.' && name !== '..' && !/[/%]/.test(name)
      ? undefined
      : 'expected a name without "/" or "%" that is not "." or ".."',
} as const;

/**
 * Kinds whose names follow another grammar than a DNS subdomain. Whole groups whose kinds all
 * take path-segment names (RBAC, API priority and fairness) are listed by group.
 */
const pathSegmentGroups: ReadonlySet<string> = new Set([
  'rbac.authorization.k8s.io',
  'flowcontrol.apiserver.k8s.io',
]);
const nameRuleOfKind: Readonly<Record<string, keyof typeof nameRules>> = {
  '/Namespace': 'label1123',
  '/Service': 'label1035',
};

/** The metadata violations of one object (empty when its name and labels are valid). */
export function metadataViolations(object: Record<string, unknown>): SchemaViolation[] {
  const metadata = object.metadata;
  if (typeof metadata !== 'object' || metadata === null) return [];
  const { name, labels } = metadata as { name?: unknown; labels?: unknown };
  const found: SchemaViolation[] = [];
  const group = groupOf(String(object.apiVersion));
  if (typeof name === 'string') {
    const rule = pathSegmentGroups.has(group)
      ? 'pathSegment'
      : (nameRuleOfKind[`${group}/${String(object.kind)}`] ?? 'subdomain');
    const why = nameRules[rule](name);
    if (why !== undefined) found.push({ pointer: '/metadata/name', message: why });
  }
  if (typeof labels === 'object' && labels !== null) {
    for (const [key, value] of Object.entries(labels)) {
      const pointer = `/metadata/labels/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
      if (!isLabelKey(key)) found.push({ pointer, message: 'expected a valid label key' });
      if (typeof value === 'string' && !isLabelValue(value))
        found.push({
          pointer,
          message: `invalid label value ${JSON.stringify(value)}: expected at most 63 characters: A-Z, a-z, 0-9, "-", "_", ".", starting and ending with a letter or digit`,
        });
    }
  }
  return found;
}

/**
 * Label keys and values found valid so far: a repository's objects share a few labels, so
 * each is checked by its grammar once per run. Bounded, so no input makes them grow for ever.
 */
const validLabels = { keys: new Set<string>(), values: new Set<string>() };
const maxRemembered = 10_000;

function remember(set: Set<string>, text: string, valid: boolean): boolean {
  if (valid && set.size < maxRemembered) set.add(text);
  return valid;
}

function isLabelKey(key: string): boolean {
  return validLabels.keys.has(key) || remember(validLabels.keys, key, checkLabelKey(key));
}

function isLabelValue(value: string): boolean {
  if (validLabels.values.has(value)) return true;
  return remember(validLabels.values, value, value.length <= 63 && labelValue.test(value));
}

function checkLabelKey(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && !(prefix.length <= 253 && dns1123Subdomain.test(prefix)))
    return false;
  return name.length <= 63 && qualifiedName.test(name);
}
