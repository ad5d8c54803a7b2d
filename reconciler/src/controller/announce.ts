/**
 * Telling people what a reconcile did: Events on the Application, metrics and a log line. Only
 * changes are announced (a revision applied, objects pruned, a failure), so a resync that found
 * nothing to do writes no Event.
 */
import type { Application } from '../api/application.ts';
import { describeConflict } from '../drift/conflicts.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { boundMessage, findCondition } from '../status/conditions.ts';
import type { EventRecorder } from '../status/events.ts';
import type { ReconcileResult } from './reconcile.ts';

/** Where announcements go. */
export interface Announcers {
  readonly events: EventRecorder;
  readonly metrics: Metrics;
  readonly log: Logger;
}

/** Records metrics for every reconcile and Events and logs for those that changed something. */
export async function announce(
  app: Application,
  result: ReconcileResult,
  to: Announcers,
): Promise<void> {
  const { outcome, changes } = result;
  const reason =
    outcome.kind === 'failed'
      ? outcome.reason
      : outcome.kind === 'succeeded'
        ? 'ReconciliationSucceeded'
        : 'Suspended';
  to.metrics.reconcileTotal.inc({
    result: outcome.kind === 'failed' ? 'failure' : 'success',
    reason,
  });
  for (const [outcomeName, count] of [
    ['created', changes.created],
    ['configured', changes.configured],
    ['unchanged', changes.unchanged],
  ] as const) {
    if (count > 0) to.metrics.objectsApplied.inc({ outcome: outcomeName }, count);
  }
  if (changes.deleted > 0) to.metrics.objectsPruned.inc(changes.deleted);
  // A fight given up is said once, when it is found, whatever the outcome.
  for (const conflict of result.newConflicts ?? []) {
    to.metrics.driftConflicts.inc();
    to.log.warn('another field manager keeps setting fields back; no longer reverting them', {
      object: conflict.object,
      manager: conflict.manager,
      fields: describeConflict(conflict),
    });
    await to.events.record(
      app,
      'Warning',
      'DriftConflict',
      `${describeConflict(conflict)} after every revert; no longer reverting these fields until the next revision or spec (everything else is still applied)`,
    );
  }

  const fields = { revision: result.lastAttemptedRevision, ...changes };
  if (outcome.kind === 'failed') {
    const before = findCondition(app.status?.conditions ?? [], 'Ready');
    // The status writer has already stored this outcome when it is new; announce only news.
    to.log.warn(outcome.message, { ...fields, reason: outcome.reason });
    const news =
      before?.reason !== outcome.reason || before.message !== boundMessage(outcome.message);
    if (news || result.sync) {
      await to.events.record(
        app,
        'Warning',
        'ReconcileFailed',
        `${outcome.reason}: ${outcome.message}`,
      );
    }
    return;
  }
  if (outcome.kind === 'succeeded' && result.drifted?.length) {
    // selfHeal is off: said once per new set of drifted objects, not on every interval.
    const before = findCondition(app.status?.conditions ?? [], 'Ready');
    if (before?.message !== boundMessage(outcome.message)) {
      to.log.warn('drift left as it is (selfHeal is off)', { ...fields, drifted: result.drifted });
      await to.events.record(
        app,
        'Warning',
        'DriftDetected',
        `${result.drifted.length} object(s) differ from revision ${result.lastAttemptedRevision} and are left as they are (selfHeal is off): ${result.drifted.join('; ')}`,
      );
    }
  }
  if (result.sync && outcome.kind === 'succeeded') {
    const summary = `${changes.created} created, ${changes.configured} configured, ${changes.unchanged} unchanged, ${changes.deleted} pruned`;
    to.log.info(`applied revision ${result.lastAppliedRevision}`, fields);
    await to.events.record(
      app,
      'Normal',
      'RevisionApplied',
      `revision ${result.lastAppliedRevision}: ${summary}`,
    );
  } else if (changes.configured > 0) {
    to.metrics.driftCorrections.inc(changes.configured);
    to.log.info('reverted drift', fields);
    await to.events.record(
      app,
      'Normal',
      'DriftReverted',
      `${changes.configured} object(s) set back to revision ${result.lastAttemptedRevision}`,
    );
  }
}
