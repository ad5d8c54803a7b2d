/**
 * The shape every manifest must have before anything else looks at it: the fields that make up
 * its id. The rest of the object is kept as written; the API server judges it.
 */
import { z } from 'zod';

/** `v1` or `group/version`; groups are lowercase DNS names. */
const apiVersionPattern = /^(?:[a-z0-9]([a-z0-9.-]*[a-z0-9])?\/)?[a-z0-9]+$/;

/** Names and namespaces end up in URL paths and in object ids: no `/`, no `%`. */
const noSlash = (text: string): boolean => !/[/%]/.test(text);

/** Checks `apiVersion`, `kind`, `metadata.name` and `metadata.namespace`; keeps every field. */
export const objectHeaderSchema = z.looseObject({
  apiVersion: z.string().regex(apiVersionPattern, {
    error: 'expected an API version like v1 or apps/v1',
  }),
  kind: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, {
    error: 'expected a Kind starting with an uppercase letter, like Deployment',
  }),
  metadata: z.looseObject({
    name: z.string().min(1).refine(noSlash, { error: 'expected a name without "/" or "%"' }),
    namespace: z
      .string()
      .refine(noSlash, { error: 'expected a namespace without "/" or "%"' })
      .optional(),
  }),
});

/** A Kubernetes object whose identifying fields have been checked. */
export type KubeObject = z.output<typeof objectHeaderSchema>;

const kindPattern = /^[A-Z][A-Za-z0-9]*$/;

/**
 * What `objectHeaderSchema` makes of a value it accepts (new objects with the header's fields
 * first, every other field kept in order), checked without zod, which costs many times more
 * per object; `undefined` when the value may not pass, for zod to say why.
 */
export function acceptedHeader(value: Record<string, unknown>): KubeObject | undefined {
  const { apiVersion, kind, metadata } = value;
  if (typeof apiVersion !== 'string' || !apiVersionPattern.test(apiVersion)) return undefined;
  if (typeof kind !== 'string' || !kindPattern.test(kind)) return undefined;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))
    return undefined;
  const fields = metadata as Record<string, unknown>;
  const { name, namespace } = fields;
  if (typeof name !== 'string' || name === '' || !noSlash(name)) return undefined;
  const hasNamespace = Object.hasOwn(fields, 'namespace');
  if (hasNamespace && (typeof namespace !== 'string' || !noSlash(namespace))) return undefined;
  const header: Record<string, unknown> = { name };
  if (hasNamespace) header.namespace = namespace;
  if (!copyRest(fields, header, ['name', 'namespace'])) return undefined;
  const object: Record<string, unknown> = { apiVersion, kind, metadata: header };
  if (!copyRest(value, object, ['apiVersion', 'kind', 'metadata'])) return undefined;
  return object as KubeObject;
}

/** Copies the own fields of `from` but `skip` into `to`; false at a `__proto__` field. */
function copyRest(
  from: Record<string, unknown>,
  to: Record<string, unknown>,
  skip: readonly string[],
): boolean {
  for (const key of Object.keys(from)) {
    if (key === '__proto__') return false;
    if (!skip.includes(key)) to[key] = from[key];
  }
  return true;
}
