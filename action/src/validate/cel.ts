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
import { isSchema, type Program, type Rule, type RuleNode, type Schema } from './cel-rules.ts';

/** The errors that mean the rule was evaluated and the object breaks it. */
const refusingErrors = [/field not found/i, /no such key/i, /index out of (range|bounds)/i];

const env = celEnv({ funcs: strings });

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
