/**
 * Custom resources, validated against the `openAPIV3Schema` of the CustomResourceDefinitions
 * found in the repository (in any overlay's rendered output or any YAML file of the checkout),
 * with ajv, read as the API server reads a structural schema (structural.ts); `nullable` is
 * honoured as OpenAPI defines it; formats are not checked (the API server checks few of them).
 * An object the schema accepts is then held to the schema's CEL rules after defaulting
 * (cel.ts, loaded the first time a schema with rules is met; defaults.ts).
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { describeAjvErrors, type ObjectValidator } from './builtin.ts';
import { celRulesOf } from './cel-rules.ts';
import { withDefaults } from './defaults.ts';
import { listMapKeysKeyword, structuralRoot } from './structural.ts';

/** One served version of a custom resource kind. */
export interface CustomKind {
  /** `group/version/Kind`. */
  readonly key: string;
  readonly namespaced: boolean;
  /** Where the CRD was found, for messages. */
  readonly source: string;
  readonly validate: ObjectValidator;
}

/** The custom kinds known so far, by `group/version/Kind`. */
export type CustomKinds = ReadonlyMap<string, CustomKind>;

const extensionKeywords = [
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string',
  'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type',
  'x-kubernetes-map-type',
  'x-kubernetes-validations',
  'x-kubernetes-group-version-kind',
] as const;

/** A new ajv set up for Kubernetes structural schemas. */
export function createSchemaCompiler(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    validateFormats: false,
    validateSchema: false,
  });
  for (const keyword of extensionKeywords) ajv.addKeyword({ keyword });
  ajv.addKeyword(listMapKeysKeyword);
  return ajv;
}

/** The custom kinds a CRD object defines (every served version with a schema). */
export function customKindsOf(crd: unknown, source: string, ajv: Ajv): CustomKind[] {
  const spec = field(crd, 'spec');
  const group = field(spec, 'group');
  const kind = field(field(spec, 'names'), 'kind');
  if (typeof group !== 'string' || typeof kind !== 'string') return [];
  const namespaced = field(spec, 'scope') !== 'Cluster';
  const versions = field(spec, 'versions');
  if (!Array.isArray(versions)) return [];
  const kinds: CustomKind[] = [];
  for (const version of versions) {
    const name = field(version, 'name');
    if (typeof name !== 'string' || field(version, 'served') === false) continue;
    const schema = field(field(version, 'schema'), 'openAPIV3Schema');
    const validate = lazyValidator(ajv, schema);
    kinds.push({ key: `${group}/${name}/${kind}`, namespaced, source, validate });
  }
  return kinds;
}

/** Compiles the schema on first use; no schema means anything goes. */
function lazyValidator(ajv: Ajv, schema: unknown): ObjectValidator {
  if (typeof schema !== 'object' || schema === null) return () => [];
  let compiled: ValidateFunction | undefined;
  let rules: ReturnType<typeof celRulesOf> | null = null;
  return (object) => {
    try {
      compiled ??= ajv.compile(structuralRoot(schema));
    } catch (thrown) {
      return [
        {
          pointer: '',
          message: `the CRD's schema cannot be compiled: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
        },
      ];
    }
    if (!compiled(object)) return describeAjvErrors(compiled.errors ?? []);
    if (rules === null) rules = celRulesOf(schema);
    if (rules === undefined) return [];
    const found = rules;
    return import('./cel.ts').then((cel) =>
      cel.evaluateCelRules(found, withDefaults(object, schema)),
    );
  };
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
