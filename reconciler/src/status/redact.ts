/**
 * Scrubbing a reconcile result before its messages are stored in status: the same redactor
 * that logs and Events go through, so a secret that reached an error message (a token in a git
 * URL, a password a server echoed) never reaches the Application either.
 */
import type { ReconcileResult } from '../controller/reconcile.ts';

/** `result` with every message passed through `redact`; `result` itself when there is none. */
export function redactResult(
  result: ReconcileResult,
  redact: ((text: string) => string) | undefined,
): ReconcileResult {
  if (redact === undefined) return result;
  const outcome =
    result.outcome.kind === 'failed' || result.outcome.kind === 'progressing'
      ? { ...result.outcome, message: redact(result.outcome.message) }
      : result.outcome.kind === 'succeeded'
        ? {
            ...result.outcome,
            message: redact(result.outcome.message),
            health: { ...result.outcome.health, message: redact(result.outcome.health.message) },
          }
        : result.outcome;
  const health = result.health && { ...result.health, message: redact(result.health.message) };
  return { ...result, outcome, ...(health ? { health } : {}) };
}
