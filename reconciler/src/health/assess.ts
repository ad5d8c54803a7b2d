/**
 * `assess(obj)`: the kstatus verdict of one live object. Generic checks first (deletion,
 * unobserved generation, `Reconciling`/`Stalled`), then the kind's rule, then the `Ready`
 * condition, else Current. `summarize` folds many verdicts into one by severity.
 */

import { messageOf } from '@kustodian/shared/errors';
import { groupOf } from '@kustodian/shared/manifests/object-id';
import type { KubeObject } from '../kube/object.ts';
import { genericHealth } from './kinds/generic.ts';
import { kindRules, ruleKey } from './kinds/index.ts';
import { noSignalHealth, readyConditionHealth } from './kinds/ready-condition.ts';
import {
  type HealthResult,
  type HealthStatus,
  health,
  healthSeverity,
  healthStatuses,
  worse,
} from './status.ts';

/** Options of {@link assess}. */
export interface AssessOptions {
  /** The current time in ms since the epoch (Pod scheduling windows); default `Date.now()`. */
  now?: number;
}

/** The health of one object; `undefined` (not found) is NotFound. */
export function assess(obj: KubeObject | undefined, options: AssessOptions = {}): HealthResult {
  if (!obj) return health('NotFound', 'NotFound', 'Resource not found');
  try {
    const generic = genericHealth(obj);
    if (generic) return generic;
    const rule = kindRules.get(ruleKey(groupOf(obj.apiVersion), obj.kind));
    if (rule) return rule(obj, { now: options.now ?? Date.now() });
    return readyConditionHealth(obj) ?? { ...noSignalHealth };
  } catch (error) {
    return health('Unknown', 'AssessFailed', `cannot judge the status: ${messageOf(error)}`);
  }
}

/** The health of one object, named by its id. */
export interface ObjectHealth extends HealthResult {
  id: string;
}

/** Many verdicts folded into one. */
export interface HealthSummary {
  /** The worst status of the set; Current for an empty set. */
  status: HealthStatus;
  counts: Readonly<Record<HealthStatus, number>>;
  /** The objects that are not Current, worst first, then by id. */
  notCurrent: readonly ObjectHealth[];
  /** `2 of 5 objects not Current: apps/Deployment/web/api InProgress: Ready: 1/3; ...` */
  message: string;
}

/** How many objects a summary message names before it says "and N more". */
const namedInMessage = 5;

/** Folds the verdicts of a set of objects by severity. */
export function summarize(results: readonly ObjectHealth[]): HealthSummary {
  const counts = Object.fromEntries(healthStatuses.map((status) => [status, 0])) as Record<
    HealthStatus,
    number
  >;
  let status: HealthStatus = 'Current';
  for (const result of results) {
    counts[result.status] += 1;
    status = worse(status, result.status);
  }
  const notCurrent = results
    .filter((result) => result.status !== 'Current')
    .sort(
      (a, b) =>
        healthSeverity[b.status] - healthSeverity[a.status] ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    );
  return { status, counts, notCurrent, message: summaryMessage(results.length, notCurrent) };
}

function summaryMessage(total: number, notCurrent: readonly ObjectHealth[]): string {
  if (notCurrent.length === 0) return `all ${total} objects are Current`;
  const named = notCurrent
    .slice(0, namedInMessage)
    .map((result) => `${result.id} ${result.status}: ${result.message}`);
  const more =
    notCurrent.length > namedInMessage ? `; and ${notCurrent.length - namedInMessage} more` : '';
  return `${notCurrent.length} of ${total} objects not Current: ${named.join('; ')}${more}`;
}
