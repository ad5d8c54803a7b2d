/**
 * The `x-kubernetes-validations` rules of a CRD's structural schema, evaluated offline the way
 * the API server evaluates them when an object is created: after structural defaulting
 * (defaults.ts), on every value the rule's schema node reaches, with `self` typed by the schema
 * (`integer` is a CEL int, `number` a double, an object a map). Rules that read `oldSelf`
 * (transition rules) run only on updates and are skipped. A rule this evaluator cannot judge
 * (a function of the Kubernetes CEL libraries it does not have, an overload the typing cannot
 * resolve, a syntax it does not parse) is skipped, never failed: a CI failure the API server
 * would not give is never acceptable.
 */
import { type CelInput, celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import type { SchemaViolation } from './builtin.ts';

type Schema = Record<string, unknown>;

type Program = (bindings: Record<string, CelInput>) => unknown;

/** One rule as the CRD states it. */
interface Rule {
  readonly rule: string;
  readonly message?: string;
  readonly fieldPath?: string;
  /** Undefined until first use; `null` when it cannot be judged offline. */
  program?: Program | null;
}

/** The rules of one schema node and of the nodes below it. */
interface RuleNode {
  readonly schema: Schema;
  readonly rules: readonly Rule[];
  readonly properties: ReadonlyMap<string, RuleNode>;
  readonly additional?: RuleNode;
  readonly items?: RuleNode;
}

/** The errors that mean the rule was evaluated and the object breaks it. */
const refusingErrors = [/field not found/i, /no such key/i, /index out of (range|bounds)/i];

const env = celEnv({ funcs: strings });

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

/** The violations of every rule the (defaulted) object reaches. */
export function evaluateCelRules(root: RuleNode, object: unknown): SchemaViolation[] {
  const violations: SchemaViolation[] = [];
  const visit = (node: RuleNode, value: unknown, pointer: string, isRoot: boolean): void => {
    if (value === null || value === undefined) return;
    if (node.rules.length > 0) {
      const self = toCel(isRoot ? rootView(value) : value, node.schema);
      for (const rule of node.rules) {
        const failure = judge(rule, self);
        if (failure !== undefined)
          violations.push({ pointer: pointer + pointerOf(rule.fieldPath), message: failure });
      }
    }
    if (Array.isArray(value)) {
      const items = node.items;
      if (items)
        value.forEach((item, i) => {
          visit(items, item, `${pointer}/${i}`, false);
        });
      return;
    }
    if (typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Schema)) {
      const next =
        node.properties.get(key) ??
        (isSchema(node.schema.properties) ? undefined : node.additional);
      if (next) visit(next, child, `${pointer}/${pointerToken(key)}`, false);
    }
  };
  visit(root, object, '', true);
  return violations;
}

/** Undefined when the rule holds or cannot be judged; the API server's message when broken. */
function judge(rule: Rule, self: CelInput): string | undefined {
  if (rule.program === undefined) rule.program = compile(rule.rule);
  const program = rule.program;
  if (program === null) return undefined;
  let result: unknown;
  try {
    result = program({ self });
  } catch {
    return undefined;
  }
  if (isCelError(result)) {
    const text = result.message;
    if (!refusingErrors.some((pattern) => pattern.test(text))) return undefined;
    return `${text.replace(/^field not found/i, 'no such key')} evaluating rule: ${rule.rule}`;
  }
  if (result === false) return rule.message ?? `failed rule: ${rule.rule}`;
  return undefined;
}

function compile(source: string): Program | null {
  if (/\boldSelf\b/.test(source)) return null;
  try {
    const program = plan(env, parse(source));
    return (bindings) => program(bindings as never);
  } catch {
    return null;
  }
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

/** A value as CEL sees it under its schema: integers of `integer` (and int-or-string) are ints. */
function toCel(value: unknown, schema: Schema | undefined): CelInput {
  if (Array.isArray(value)) {
    const items = isSchema(schema?.items) ? schema.items : undefined;
    return value.map((item) => toCel(item, items)) as CelInput;
  }
  if (typeof value === 'number') {
    const type = schema?.type;
    if (type === 'number') return value as CelInput;
    if (Number.isInteger(value)) return BigInt(value) as CelInput;
    return value as CelInput;
  }
  if (typeof value === 'object' && value !== null) {
    const properties = isSchema(schema?.properties) ? schema.properties : undefined;
    const additional = isSchema(schema?.additionalProperties)
      ? schema.additionalProperties
      : undefined;
    const entries = Object.entries(value as Schema).map(([key, child]): [string, CelInput] => {
      const childSchema = properties?.[key];
      return [key, toCel(child, isSchema(childSchema) ? childSchema : additional)];
    });
    return new Map(entries) as CelInput;
  }
  return value as CelInput;
}

/** At the root, `self.metadata` holds only `name` and `generateName`, as on the API server. */
function rootView(object: unknown): unknown {
  if (!isSchema(object) || !isSchema(object.metadata)) return object;
  const { name, generateName } = object.metadata;
  const metadata: Schema = {};
  if (name !== undefined) metadata.name = name;
  if (generateName !== undefined) metadata.generateName = generateName;
  return { ...object, metadata };
}

/** `.spec.size` or `.items[0]` as a JSON pointer suffix. */
function pointerOf(fieldPath: string | undefined): string {
  if (!fieldPath) return '';
  return fieldPath
    .replace(/\[(\d+)\]/g, '.$1')
    .replace(/\['([^']*)'\]/g, '.$1')
    .split('.')
    .filter((part) => part !== '')
    .map((part) => `/${pointerToken(part)}`)
    .join('');
}

function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
