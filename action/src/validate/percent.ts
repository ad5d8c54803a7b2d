/**
 * Int-or-string fields that the API server reads as "a count or a percentage": a string there
 * must be digits followed by `%` (apimachinery's IsValidPercent), which no schema states.
 */
import type { SchemaViolation } from './builtin.ts';

/** The count-or-percent fields of each kind, as paths from the object's root. */
const percentFields: Readonly<Record<string, readonly (readonly string[])[]>> = {
  'apps/v1/Deployment': [
    ['spec', 'strategy', 'rollingUpdate', 'maxSurge'],
    ['spec', 'strategy', 'rollingUpdate', 'maxUnavailable'],
  ],
  'apps/v1/DaemonSet': [
    ['spec', 'updateStrategy', 'rollingUpdate', 'maxSurge'],
    ['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable'],
  ],
  'apps/v1/StatefulSet': [['spec', 'updateStrategy', 'rollingUpdate', 'maxUnavailable']],
  'policy/v1/PodDisruptionBudget': [
    ['spec', 'minAvailable'],
    ['spec', 'maxUnavailable'],
  ],
};

const percent = /^[0-9]+%$/;

/** A violation for every count-or-percent field of `object` holding a string that is no percentage. */
export function percentViolations(object: Record<string, unknown>): SchemaViolation[] {
  const fields = percentFields[`${String(object.apiVersion)}/${String(object.kind)}`] ?? [];
  const found: SchemaViolation[] = [];
  for (const path of fields) {
    let value: unknown = object;
    for (const key of path) {
      value =
        typeof value === 'object' && value !== null
          ? (value as Record<string, unknown>)[key]
          : undefined;
    }
    if (typeof value === 'string' && !percent.test(value)) {
      found.push({
        pointer: `/${path.join('/')}`,
        message: `expected an integer or a percentage such as "25%", got ${JSON.stringify(value)}`,
      });
    }
  }
  return found;
}
