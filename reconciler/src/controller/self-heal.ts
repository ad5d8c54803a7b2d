/**
 * `selfHeal: false`, as Argo CD has it: changes made by hand stay until git or the spec
 * changes. Once a revision has been applied with the current spec, later reconciles only
 * compare it with the cluster and report what differs; a new revision or generation applies as
 * usual (and so takes the objects back).
 */
import { generationOf } from '../api/application.ts';
import type { AppContext } from './ports.ts';

/** How many drifted objects a Ready message names before it only counts the rest. */
const namedInMessage = 5;

/**
 * Whether this reconcile must leave drift alone: selfHeal is off and `revision` was applied
 * successfully at the Application's current generation.
 */
export function leavesDrift(ctx: Pick<AppContext, 'app' | 'spec'>, revision: string): boolean {
  const status = ctx.app.status;
  return (
    !ctx.spec.selfHeal &&
    status?.lastAppliedRevision === revision &&
    status.lastAppliedGeneration === generationOf(ctx.app)
  );
}

/** The Ready message's note on drift left alone (empty when there is none). */
export function driftNote(drifted: readonly string[] | undefined): string {
  if (!drifted || drifted.length === 0) return '';
  const named = drifted.slice(0, namedInMessage).join('; ');
  const more =
    drifted.length > namedInMessage ? `; and ${drifted.length - namedInMessage} more` : '';
  return `; ${drifted.length} object(s) changed in the cluster and left as they are (selfHeal is off): ${named}${more}`;
}
