/**
 * Where kustomize's name references could carry a namespace from one part of a build into
 * another (`fan-out.ts`): a reference written as a mapping with a `name`, which kustomize's
 * `nameReference` filter fills with the namespace of the object it names (api
 * `filters/nameref/nameref.go` `setMapping`). The Kinds whose reference fields are such mappings
 * are in `fan-out-plan.ts`; this finds the same shape in the fields that should hold a plain
 * name, at any depth of any object, so that no mapping there goes unseen.
 */

/**
 * The last fields of the paths of kustomize's default `nameReference` configuration (api
 * `internal/konfig/builtinpluginconsts/namereference.go`) that hold a name or a list of names.
 */
const nameFields: ReadonlySet<string> = new Set([
  'name',
  'secretName',
  'serviceAccountName',
  'priorityClassName',
  'claimName',
  'resourceNames',
  'storageClassName',
  'serviceName',
  'volumeName',
  'userSecretName',
  'adminSecretName',
  'policyName',
  'ingressClassName',
  'ingress.kubernetes.io/auth-secret',
  'nginx.ingress.kubernetes.io/auth-secret',
  'nginx.ingress.kubernetes.io/auth-tls-secret',
  'nginx.ingress.kubernetes.io/fastcgi-params-configmap',
]);

/** Whether `value` holds, anywhere, a name field whose value is a mapping with a `name`. */
export function holdsNameMapping(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsNameMapping);
  if (!isMapping(value)) return false;
  for (const [key, field] of Object.entries(value)) {
    if (nameFields.has(key) && isNameMapping(field)) return true;
    if (holdsNameMapping(field)) return true;
  }
  return false;
}

function isNameMapping(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isNameMapping);
  return isMapping(value) && Object.hasOwn(value, 'name');
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
