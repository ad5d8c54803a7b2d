/**
 * Custom resources, validated against the `openAPIV3Schema` of the CustomResourceDefinitions
 * found in the repository (in any overlay's rendered output or any YAML file of the checkout),
 * with ajv, read as the API server reads a structural schema (structural.ts); `nullable` is
 * honoured as OpenAPI defines it; formats are not checked (the API server checks few of them).
 * An object the schema accepts is then held to the schema's CEL rules after defaulting
 * (cel.ts, loaded the first time a schema with rules is met; defaults.ts). ajv itself, with its
 * code generator, is loaded when the first custom resource is checked, so a run that meets none
 * never compiles it.
 */
import type { Ajv, ValidateFunction } from 'ajv';
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

/** Compiles structural schemas into validation functions; one per run, shared by its CRDs. */
export interface SchemaCompiler {
  compile(schema: object): Promise<ValidateFunction>;
}

/** A compiler for Kubernetes structural schemas, over an ajv made on its first schema. */
export function createSchemaCompiler(): SchemaCompiler {
  let made: Promise<Ajv> | undefined;
  return {
    compile: async (schema) => {
      made ??= import('ajv').then(({ Ajv }) => {
        const ajv = new Ajv({
          strict: false,
          allErrors: true,
          validateFormats: false,
          validateSchema: false,
        });
        for (const keyword of extensionKeywords) ajv.addKeyword({ keyword });
        ajv.addKeyword(listMapKeysKeyword);
        return ajv;
      });
      return (await made).compile(schema);
    },
  };
}

/** The custom kinds a CRD object defines (every served version with a schema). */
export function customKindsOf(
  crd: unknown,
  source: string,
  compiler: SchemaCompiler,
): CustomKind[] {
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
    const validate = lazyValidator(compiler, schema);
    kinds.push({ key: `${group}/${name}/${kind}`, namespaced, source, validate });
  }
  return kinds;
}

/** Compiles the schema on first use; no schema means anything goes. */
function lazyValidator(compiler: SchemaCompiler, schema: unknown): ObjectValidator {
  if (typeof schema !== 'object' || schema === null) return () => [];
  let compiling: Promise<ValidateFunction> | undefined;
  let rules: ReturnType<typeof celRulesOf> | null = null;
  return async (object) => {
    let compiled: ValidateFunction;
    try {
      compiling ??= compiler.compile(structuralRoot(schema));
      compiled = await compiling;
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
