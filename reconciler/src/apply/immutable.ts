/**
 * Recognising an apply refused because it changes an immutable field (a Deployment's selector,
 * a Service's clusterIP, a Job's template, a PVC's storage class). Such an object can only be
 * changed by deleting and recreating it, which apply does only when asked to (`force`).
 */
import { KubeApiError } from '../kube/errors.ts';

const immutablePattern = /\bimmutable\b/i;

/**
 * The immutable field(s) an error is about (`spec.selector`), `''` when the server named none,
 * or `undefined` when the error is not about immutability.
 */
export function immutableFields(thrown: unknown): string | undefined {
  if (!(thrown instanceof KubeApiError)) return undefined;
  if (thrown.httpStatus !== 422 && thrown.httpStatus !== 409) return undefined;
  const fields = thrown.causes
    .filter((cause) => immutablePattern.test(cause.message) && cause.field !== '')
    .map((cause) => cause.field);
  if (fields.length > 0) return [...new Set(fields)].join(', ');
  return immutablePattern.test(thrown.serverMessage)
    ? fieldInMessage(thrown.serverMessage)
    : undefined;
}

/** `spec.selector` out of `... is invalid: spec.selector: Invalid value: ...: field is immutable`. */
function fieldInMessage(message: string): string {
  const match = /:\s*([\w.[\]/-]+): (?:Invalid value|Forbidden)[\s\S]*immutable/i.exec(message);
  return match?.[1] ?? '';
}
