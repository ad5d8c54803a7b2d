/**
 * The conditions of an Application, computed from the outcome of one reconcile.
 *
 * Four condition types in the standard Kubernetes shape: `Ready` (the revision is applied and,
 * when `wait` is on, healthy), `Reconciling` (work in progress), `Stalled` (a failure that needs
 * a new commit or spec to clear) and `Healthy` (what the health checks say). Reasons are a closed
 * set, so alerts and dashboards can match on them.
 */

/** The condition types, in the order they are written. */
export const conditionTypes = ['Ready', 'Healthy', 'Reconciling', 'Stalled'] as const;
export type ConditionType = (typeof conditionTypes)[number];

/** Why a reconcile did not reach Ready: one reason per pipeline step that can fail. */
export const failureReasons = [
  'InvalidSpec',
  'DependencyNotReady',
  'AuthFailed',
  'FetchFailed',
  'BuildFailed',
  'ValidationFailed',
  'ApplyFailed',
  'PruneFailed',
  'HealthCheckFailed',
] as const;
export type FailureReason = (typeof failureReasons)[number];

/** Every reason a condition may carry. */
export const conditionReasons = [
  'ReconciliationSucceeded',
  'Progressing',
  'Suspended',
  'Healthy',
  'Degraded',
  'NotChecked',
  ...failureReasons,
] as const;
export type ConditionReason = (typeof conditionReasons)[number];

/** Failures that the same inputs will only repeat: they stall until the commit or spec changes. */
const stallingReasons: ReadonlySet<FailureReason> = new Set([
  'InvalidSpec',
  'BuildFailed',
  'ValidationFailed',
]);

/** A condition as `metav1.Condition` has it. */
export interface Condition {
  type: ConditionType;
  status: 'True' | 'False' | 'Unknown';
  reason: ConditionReason;
  message: string;
  observedGeneration: number;
  lastTransitionTime: string;
}

/** What one reconcile came to, as the pipeline reports it. */
export type Outcome =
  | { readonly kind: 'succeeded'; readonly message: string; readonly health: HealthVerdict }
  | { readonly kind: 'failed'; readonly reason: FailureReason; readonly message: string }
  | { readonly kind: 'suspended' }
  | { readonly kind: 'progressing'; readonly message: string };

/** What the health checks concluded, or that they were not run (`wait: false`). */
export interface HealthVerdict {
  readonly status: 'Healthy' | 'Progressing' | 'Degraded' | 'NotChecked';
  readonly message: string;
}

/**
 * The longest condition or health message status carries, in UTF-16 code units (so never more
 * characters than that). The CRD refuses a condition message over 32768 characters, and a
 * refused status write leaves the Application showing its previous state for ever.
 */
export const maxMessageLength = 8192;

/**
 * `text` cut to {@link maxMessageLength}, keeping its beginning (where the first error is) and
 * saying how much was left out; never splitting a surrogate pair.
 */
export function boundMessage(text: string): string {
  if (text.length <= maxMessageLength) return text;
  const note = (left: number) => ` … (${left} more characters)`;
  let end = maxMessageLength - note(text.length).length;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}${note(text.length - end)}`;
}

/** Whether a failure reason stalls the Application. */
export function isStalling(reason: FailureReason): boolean {
  return stallingReasons.has(reason);
}

type Wanted = Omit<Condition, 'lastTransitionTime' | 'observedGeneration'>;

function wantedConditions(outcome: Outcome, health?: HealthVerdict['status']): Wanted[] {
  switch (outcome.kind) {
    case 'succeeded': {
      const healthy = outcome.health.status;
      return [
        {
          type: 'Ready',
          status: 'True',
          reason: 'ReconciliationSucceeded',
          message: outcome.message,
        },
        {
          type: 'Healthy',
          status: healthy === 'Healthy' ? 'True' : healthy === 'Degraded' ? 'False' : 'Unknown',
          reason: healthy === 'Healthy' ? 'Healthy' : healthy,
          message: outcome.health.message,
        },
      ];
    }
    case 'failed':
      return [
        { type: 'Ready', status: 'False', reason: outcome.reason, message: outcome.message },
        // A wait that ran out while objects were still progressing is not a verdict of Degraded.
        ...(outcome.reason === 'HealthCheckFailed'
          ? [
              health === 'Progressing'
                ? ({
                    type: 'Healthy',
                    status: 'Unknown',
                    reason: 'Progressing',
                    message: outcome.message,
                  } as const)
                : ({
                    type: 'Healthy',
                    status: 'False',
                    reason: 'Degraded',
                    message: outcome.message,
                  } as const),
            ]
          : []),
        ...(isStalling(outcome.reason)
          ? [
              {
                type: 'Stalled',
                status: 'True',
                reason: outcome.reason,
                message: outcome.message,
              } as const,
            ]
          : []),
      ];
    case 'suspended':
      return [
        {
          type: 'Ready',
          status: 'False',
          reason: 'Suspended',
          message: 'reconciliation is suspended',
        },
      ];
    case 'progressing':
      return [
        { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: outcome.message },
        { type: 'Reconciling', status: 'True', reason: 'Progressing', message: outcome.message },
      ];
  }
}

/**
 * The conditions after `outcome` (and `health`, what the health checks last said): `Reconciling`
 * and `Stalled` are present only while true,
 * `Healthy` is kept from before when this outcome says nothing about health, a condition
 * keeps its `lastTransitionTime` while its status does not change, and every message is
 * bounded ({@link boundMessage}).
 */
export function nextConditions(
  previous: readonly Condition[],
  outcome: Outcome,
  generation: number,
  now: Date,
  health?: HealthVerdict['status'],
): Condition[] {
  const wanted = wantedConditions(outcome, health);
  const byType = new Map(previous.map((c) => [c.type, c]));
  const keepHealthy = !wanted.some((c) => c.type === 'Healthy') && outcome.kind !== 'suspended';
  const result: Condition[] = [];
  for (const type of conditionTypes) {
    const want = wanted.find((c) => c.type === type);
    const before = byType.get(type);
    if (!want) {
      if (type === 'Healthy' && keepHealthy && before) result.push(before);
      continue;
    }
    const lastTransitionTime =
      before && before.status === want.status ? before.lastTransitionTime : now.toISOString();
    result.push({
      ...want,
      message: boundMessage(want.message),
      observedGeneration: generation,
      lastTransitionTime,
    });
  }
  return result;
}

/** The condition of a type, if present. */
export function findCondition(
  conditions: readonly Condition[],
  type: ConditionType,
): Condition | undefined {
  return conditions.find((c) => c.type === type);
}
