/**
 * What status says about an apply that did not fully succeed: the objects that failed, each
 * with its error, and only a count of the objects left unwritten because of them. A set of
 * hundreds of objects with one refused dry run says so in one line, not in hundreds.
 */
import type { ApplyReport } from './ports.ts';

/** The failure message of an apply, or `undefined` when it succeeded. */
export function applyFailureMessage(
  report: Pick<ApplyReport, 'failures' | 'skipped' | 'blocked'>,
): string | undefined {
  const { failures, skipped } = report;
  if (failures.length > 0) {
    const failed = `${failures.length} object(s) failed: ${failures.join('; ')}`;
    if (skipped === 0) return failed;
    const because = failures.length === 1 ? 'it' : 'them';
    return `${failed}; ${skipped} other object(s) not applied because of ${because}`;
  }
  if (report.blocked !== undefined) return `${skipped} object(s) not applied: ${report.blocked}`;
  return undefined;
}
