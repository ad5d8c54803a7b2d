/**
 * Finding the `x-kubernetes-validations` rules of a CRD's structural schema, without the CEL
 * engine: most repositories' CRDs have no rules, so `cel.ts` (which evaluates them, and brings
 * the engine) is loaded only when an object meets a schema that has some.
 */
import type { CelInput } from '@bufbuild/cel';

export type Schema = Record<string, unknown>;

export type Program = (bindings: Record<string, CelInput>) => unknown;

/** One rule as the CRD states it. */
export interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  /** Undefined until first use; `null` when it cannot be judged offline. */
  program?: Program | null;
}

/** The rules of one schema node and of the nodes below it. */
export interface RuleNode {
  readonly schema: Schema;
  readonly rules: readonly Rule[];
  readonly properties: ReadonlyMap<string, RuleNode>;
  readonly additional?: RuleNode;
  readonly items?: RuleNode;
}

/** The rule tree of a root schema; undefined when the schema has no rules at all. */
export function celRulesOf(schema: unknown): RuleNode | undefined {
  if (!isSchema(schema)) return undefined;
  const rules = rulesAt(schema);
  const properties = new Map<string, RuleNode>();
  if (isSchema(schema.properties)) {
    for (const [key, child] of Object.entries(schema.properties)) {
      const node = celRulesOf(child);
      if (node) properties.set(key, node);
    }
  }
  const additional = celRulesOf(schema.additionalProperties);
  const items = celRulesOf(schema.items);
  if (rules.length === 0 && properties.size === 0 && !additional && !items) return undefined;
  return {
    schema,
    rules,
    properties,
    ...(additional ? { additional } : {}),
    ...(items ? { items } : {}),
  };
}

function rulesAt(schema: Schema): Rule[] {
  const raw = schema['x-kubernetes-validations'];
  if (!Array.isArray(raw)) return [];
  return raw.filter(isSchema).flatMap((entry): Rule[] => {
    if (typeof entry.rule !== 'string') return [];
    return [
      {
        rule: entry.rule,
        ...(typeof entry.message === 'string' ? { message: entry.message } : {}),
        ...(typeof entry.fieldPath === 'string' ? { fieldPath: entry.fieldPath } : {}),
      },
    ];
  });
}

export function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
