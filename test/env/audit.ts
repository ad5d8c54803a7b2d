/**
 * Reading the API server's audit log: which write requests a user made, as the server saw them.
 * This is how tests prove "a no-op resync makes zero writes" independently of the client.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One write request from the audit log. */
export interface AuditedWrite {
  readonly verb: string;
  readonly resource: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly code: number;
  readonly at: number;
}

interface AuditEvent {
  stage?: string;
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
  requestReceivedTimestamp?: string;
  annotations?: Record<string, string>;
}

/**
 * Write requests by `user` received at or after `sinceMs` (dry runs excluded). Reads the log a
 * line at a time, so a long-lived environment's log of any size is read whole; a log that
 * cannot be read is an error, never an empty answer.
 */
export async function writesBy(
  auditLog: string,
  user: string,
  sinceMs = 0,
): Promise<AuditedWrite[]> {
  const writes: AuditedWrite[] = [];
  let unparsed: string | undefined;
  const lines = createInterface({ input: createReadStream(auditLog), crlfDelay: Infinity });
  for await (const line of lines) {
    if (unparsed !== undefined) throw new Error(`audit log ${auditLog}: not JSON: ${unparsed}`);
    if (!line.includes(user)) continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      // Only the last line may be cut short, while the API server is still writing it.
      unparsed = line.slice(0, 200);
      continue;
    }
    const at = Date.parse(event.requestReceivedTimestamp ?? '');
    if (event.stage !== 'ResponseComplete' || event.user?.username !== user || at < sinceMs)
      continue;
    if (event.annotations?.['dryrun.kubernetes.io'] === 'true' || line.includes('dryRun=All'))
      continue;
    const ref = event.objectRef ?? {};
    writes.push({
      verb: event.verb ?? '',
      resource: ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? ''),
      ...(ref.namespace ? { namespace: ref.namespace } : {}),
      ...(ref.name ? { name: ref.name } : {}),
      code: event.responseStatus?.code ?? 0,
      at,
    });
  }
  return writes;
}
