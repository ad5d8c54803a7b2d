/**
 * Structural defaulting, as the API server does it before it validates a custom resource: a
 * field a schema's `properties` declare with a `default` is set to that default when the object
 * lacks it (or holds `null` where the field is not `nullable`), in objects that are present, at
 * every depth, through `properties`, `additionalProperties` and `items`, and into the defaults
 * themselves. The object given is not changed; a defaulted copy is returned.
 */

type Schema = Record<string, unknown>;

/** A copy of `value` with the schema's defaults applied. */
export function withDefaults(value: unknown, schema: unknown): unknown {
  if (!isSchema(schema)) return value;
  if (Array.isArray(value)) return value.map((item) => withDefaults(item, schema.items));
  if (!isSchema(value)) return value;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const out: Schema = {};
  for (const [key, child] of Object.entries(value)) {
    const childSchema = properties[key] ?? schema.additionalProperties;
    out[key] = withDefaults(child, childSchema);
  }
  for (const [key, childSchema] of Object.entries(properties)) {
    if (!isSchema(childSchema) || !('default' in childSchema)) continue;
    const present = out[key];
    const nullable = childSchema.nullable === true;
    if (present === undefined || (present === null && !nullable))
      out[key] = withDefaults(structuredClone(childSchema.default), childSchema);
  }
  return out;
}

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
