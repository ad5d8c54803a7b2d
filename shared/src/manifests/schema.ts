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
