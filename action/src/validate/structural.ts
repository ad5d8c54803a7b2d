/**
 * A CRD's `openAPIV3Schema` rewritten into the JSON schema that refuses what the API server
 * refuses when it applies a custom resource. A structural schema says more than its plain JSON
 * schema reading: a field it does not declare is unknown (server-side apply refuses it: "field
 * not declared in schema") unless `x-kubernetes-preserve-unknown-fields` keeps it; an embedded
 * resource needs `apiVersion` and `kind`; `x-kubernetes-int-or-string` allows exactly integers
 * and strings; a `set` list has no duplicates and a `map` list no two items with the same keys.
 * Only the nodes reached through `properties`, `additionalProperties` and `items` are rewritten:
 * the `allOf`/`anyOf`/`oneOf`/`not` branches of a structural schema declare no fields of their
 * own, so closing them would refuse every field.
 */

type Schema = Record<string, unknown>;

const embeddedFields: Schema = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: { type: 'object' },
};

/**
 * The root schema of a custom resource: `apiVersion`, `kind` and `metadata` are left to the API
 * server's own checks whatever the CRD says of them (a CRD that lists them loosely must not
 * reject real objects).
 */
export function structuralRoot(schema: object): object {
  const root = structural(schema as Schema) as Schema;
  const properties = { ...(root.properties as Schema | undefined), ...embeddedFields };
  return { ...root, properties };
}

function structural(node: unknown): unknown {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return node;
  const schema: Schema = { ...(node as Schema) };
  if (typeof schema.properties === 'object' && schema.properties !== null) {
    schema.properties = Object.fromEntries(
      Object.entries(schema.properties as Schema).map(([key, child]) => [key, structural(child)]),
    );
  }
  if (typeof schema.additionalProperties === 'object')
    schema.additionalProperties = structural(schema.additionalProperties);
  if (schema.items !== undefined) schema.items = structural(schema.items);
  if (schema['x-kubernetes-embedded-resource'] === true) {
    schema.properties = { ...(schema.properties as Schema | undefined), ...embeddedFields };
    schema.required = [
      ...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind']),
    ];
  }
  const isObject = schema.type === 'object' || schema.properties !== undefined;
  if (
    isObject &&
    schema.additionalProperties === undefined &&
    schema['x-kubernetes-preserve-unknown-fields'] !== true
  ) {
    schema.additionalProperties = false;
  }
  if (schema['x-kubernetes-int-or-string'] === true && schema.type === undefined)
    schema.type = ['integer', 'string'];
  if (schema['x-kubernetes-list-type'] === 'set') schema.uniqueItems = true;
  return schema;
}

/** The ajv keyword that refuses two items of a `map` list with the same keys. */
export const listMapKeysKeyword = {
  keyword: 'x-kubernetes-list-map-keys',
  errors: true,
  validate: function uniqueKeys(keys: unknown, data: unknown): boolean {
    const check = uniqueKeys as { errors?: unknown[] };
    check.errors = [];
    if (!Array.isArray(keys) || !Array.isArray(data)) return true;
    const seen = new Set<string>();
    for (const item of data) {
      if (typeof item !== 'object' || item === null) continue;
      const values = keys.map((key) => (item as Schema)[String(key)]);
      const id = JSON.stringify(values);
      if (seen.has(id)) {
        const entry = keys.map((key, i) => `${String(key)}=${JSON.stringify(values[i])}`).join(',');
        check.errors.push({
          keyword: 'x-kubernetes-list-map-keys',
          message: `duplicate entries for key [${entry}]`,
          params: { keys },
        });
        return false;
      }
      seen.add(id);
    }
    return true;
  },
} as const;
