/**
 * Jobs (kstatus): Current when complete, Failed when failed, Current when deliberately
 * suspended; a started Job counts as Current (a rollout does not wait for batch work to finish),
 * one not started yet is InProgress.
 */
import { health } from '../status.ts';
import { conditionsOf, fieldAt, intAt, stringAt } from './fields.ts';
import type { KindRule } from './rule.ts';

/** The Job rule. */
export const jobHealth: KindRule = (obj) => {
  const parallelism = intAt(obj, 'spec.parallelism', 1);
  const completions = intAt(obj, 'spec.completions', parallelism);
  const succeeded = intAt(obj, 'status.succeeded', 0);
  const active = intAt(obj, 'status.active', 0);
  const failed = intAt(obj, 'status.failed', 0);
  for (const condition of conditionsOf(obj)) {
    if (condition.status !== 'True') continue;
    if (condition.type === 'Complete') {
      return health(
        'Current',
        'JobCompleted',
        `Job Completed. succeeded: ${succeeded}/${completions}`,
      );
    }
    if (condition.type === 'Failed') {
      return health('Failed', 'JobFailed', `Job Failed. failed: ${failed}/${completions}`);
    }
    if (condition.type === 'Suspended' && fieldAt(obj, 'spec.suspend') === true) {
      return health('Current', 'JobSuspended', 'Job is suspended');
    }
  }
  if (stringAt(obj, 'status.startTime') === '') {
    return health('InProgress', 'JobNotStarted', 'Job not started');
  }
  return health(
    'Current',
    'JobInProgress',
    `Job in progress. success:${succeeded}, active: ${active}, failed: ${failed}`,
  );
};
