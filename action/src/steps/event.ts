/**
 * Step 2 of the pipeline: read the workflow event and refuse a writing commit mode where
 * `writeRefusal` says so. The event read is kept for the commit's trailers (`source-time.ts`).
 */
import { readFile } from 'node:fs/promises';
import type { CommitMode } from '@kustodian/shared/config/action-inputs';
import { StepError } from '@kustodian/shared/errors';
import { type WorkflowEvent, writeRefusal } from '../event.ts';
import { writes } from '../land/select.ts';

/**
 * Throws a `StepError` (step `event`) when `mode` writes and the event forbids it; the event
 * when `mode` writes (nothing is read when it does not: no commit, no trailers).
 */
export async function refuseUnsafeEvent(
  mode: CommitMode,
  env: Readonly<Record<string, string | undefined>>,
): Promise<WorkflowEvent | undefined> {
  if (!writes(mode)) return undefined;
  const name = env.GITHUB_EVENT_NAME ?? '';
  const path = env.GITHUB_EVENT_PATH;
  let payload: unknown;
  if (path) {
    try {
      payload = JSON.parse(await readFile(path, 'utf8'));
    } catch (thrown) {
      throw new StepError(
        'event',
        name || 'event',
        `cannot read GITHUB_EVENT_PATH: ${(thrown as Error).message}`,
      );
    }
  }
  const event = { name, payload };
  const refusal = writeRefusal(event);
  if (refusal !== undefined) throw new StepError('event', name, refusal);
  return event;
}
