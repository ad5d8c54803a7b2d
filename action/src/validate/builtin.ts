/**
 * The built-in Kubernetes kinds and their JSON schemas, from `kubernetes-models` (generated
 * from the Kubernetes OpenAPI document; its version is pinned in package-lock.json). Each
 * kind's module is loaded the first time an object of that kind is checked, so a repository
 * that uses three kinds does not pay for three hundred. Only the kinds the pinned version
 * serves are loaded (and bundled): the schemas of retired group-versions would only ever say
 * what the pinned version refuses anyway.
 */
import { kindModules } from './builtin-kinds.ts';
import { useKubernetesFormats } from './formats.ts';

/** A model class of `kubernetes-models`: validates the object it was built from. */
interface ModelClass {
  readonly apiVersion: string;
  readonly kind: string;
  new (data: unknown): { validate(): void };
  readonly prototype: { validate(this: unknown): void };
}

/** One schema violation: where (a JSON pointer into the object) and what. */
export interface SchemaViolation {
  readonly pointer: string;
  readonly message: string;
}

/** Validates one object; empty when it conforms. */
export type ObjectValidator = (object: unknown) => SchemaViolation[] | Promise<SchemaViolation[]>;

/**
 * Group-versions Kubernetes served once and the pinned version no longer serves. An object of
 * one of these is an error (naming what to use instead), not an unknown custom kind.
 */
export const retiredApiVersions: ReadonlySet<string> = new Set([
  'admissionregistration.k8s.io/v1beta1',
  'apiextensions.k8s.io/v1beta1',
  'apiregistration.k8s.io/v1beta1',
  'apps/v1beta1',
  'apps/v1beta2',
  'authentication.k8s.io/v1beta1',
  'authorization.k8s.io/v1beta1',
  'autoscaling/v2beta1',
  'autoscaling/v2beta2',
  'batch/v1beta1',
  'certificates.k8s.io/v1beta1',
  'coordination.k8s.io/v1beta1',
  'discovery.k8s.io/v1beta1',
  'events.k8s.io/v1beta1',
  'extensions/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta1',
  'flowcontrol.apiserver.k8s.io/v1beta2',
  'flowcontrol.apiserver.k8s.io/v1beta3',
  'networking.k8s.io/v1beta1',
  'node.k8s.io/v1beta1',
  'policy/v1beta1',
  'rbac.authorization.k8s.io/v1beta1',
  'scheduling.k8s.io/v1beta1',
  'storage.k8s.io/v1beta1',
]);

const loaded = new Map<string, Promise<ModelClass | undefined>>();

/** The `apiVersion`s that have built-in schemas. */
export function builtinApiVersions(): readonly string[] {
  return [...new Set(Object.keys(kindModules).map((key) => key.slice(0, key.lastIndexOf('/'))))];
}

/**
 * The validator of a built-in kind, or `undefined` when `kubernetes-models` has no schema for
 * `apiVersion` and `kind`.
 */
export async function builtinValidator(
  apiVersion: string,
  kind: string,
): Promise<ObjectValidator | undefined> {
  useKubernetesFormats();
  const model = await modelOf(apiVersion, kind);
  if (model === undefined) return undefined;
  // A model's constructor only deep-copies the object without its `undefined` values (which
  // parsed YAML has none of) before `validate` runs the schema's ajv function on the copy; run
  // it on the object itself, which that function only reads, and skip a copy of every object.
  const validate = model.prototype.validate;
  return (object) => {
    try {
      validate.call(object);
      return [];
    } catch (thrown) {
      return violationsOf(thrown);
    }
  };
}

/**
 * Starts loading the schemas of the built-in kinds among `objects`, so that validating them
 * later does not wait for their modules: the action calls it as each overlay's build ends,
 * while other overlays still build. A module that fails to load fails `builtinValidator`
 * as before; here it is only ignored.
 */
export function preloadBuiltinValidators(
  objects: Iterable<{ readonly apiVersion: string; readonly kind: string }>,
): void {
  for (const { apiVersion, kind } of objects) {
    if (loaded.has(`${apiVersion}/${kind}`)) continue;
    modelOf(apiVersion, kind)?.catch(() => {});
  }
}

function modelOf(apiVersion: string, kind: string): Promise<ModelClass | undefined> | undefined {
  const key = `${apiVersion}/${kind}`;
  const load = kindModules[key];
  if (load === undefined) return undefined;
  let model = loaded.get(key);
  if (model === undefined) {
    model = load().then((module) =>
      Object.values(module).find(
        (value): value is ModelClass =>
          isModelClass(value) && value.apiVersion === apiVersion && value.kind === kind,
      ),
    );
    loaded.set(key, model);
  }
  return model;
}

function isModelClass(value: unknown): value is ModelClass {
  if (typeof value !== 'function') return false;
  const candidate = value as unknown as Record<string, unknown>;
  return typeof candidate.kind === 'string' && typeof candidate.apiVersion === 'string';
}

/** ajv's errors, as `kubernetes-models` throws them, reduced to one message per place. */
function violationsOf(thrown: unknown): SchemaViolation[] {
  const errors = (thrown as { errors?: unknown }).errors;
  if (!Array.isArray(errors)) {
    return [{ pointer: '', message: thrown instanceof Error ? thrown.message : String(thrown) }];
  }
  return describeAjvErrors(errors);
}

/** The ajv error fields used in messages. */
export interface AjvErrorLike {
  readonly instancePath?: string;
  readonly keyword?: string;
  readonly message?: string;
  readonly params?: Record<string, unknown>;
}

/**
 * One violation per instance path, phrased as "expected ...", skipping the `oneOf`/`anyOf`
 * summaries that repeat what the branch errors already say.
 */
export function describeAjvErrors(errors: readonly unknown[]): SchemaViolation[] {
  const byPointer = new Map<string, string[]>();
  for (const raw of errors as readonly AjvErrorLike[]) {
    if (raw.keyword === 'oneOf' || raw.keyword === 'anyOf' || raw.keyword === 'if') continue;
    const pointer = raw.instancePath ?? '';
    const list = byPointer.get(pointer) ?? [];
    const text = phrase(raw);
    if (!list.includes(text)) list.push(text);
    byPointer.set(pointer, list);
  }
  return [...byPointer].map(([pointer, messages]) => ({ pointer, message: messages.join(' or ') }));
}

function phrase(error: AjvErrorLike): string {
  const p = error.params ?? {};
  switch (error.keyword) {
    case 'type':
      return `expected ${String(p.type)}`;
    case 'required':
      return `missing required field ${String(p.missingProperty)}`;
    case 'enum':
      return `expected one of ${(p.allowedValues as unknown[] | undefined)?.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'format':
      return `expected a ${String(p.format)}`;
    case 'additionalProperties':
      return `unknown field ${String(p.additionalProperty)}`;
    default:
      return error.message ?? `violates ${error.keyword ?? 'the schema'}`;
  }
}
