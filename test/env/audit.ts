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
  for await (const { write, dryRun } of auditedWrites(auditLog, user, sinceMs, user)) {
    if (!dryRun) writes.push(write);
  }
  return writes;
}

/** One write request, or server-side dry run of one, from the audit log. */
export interface AuditedRequest extends AuditedWrite {
  readonly dryRun: boolean;
}

/**
 * Write requests and server-side dry runs by `user` to objects in `namespace`, received at or
 * after `sinceMs`: what a test that owns the namespace sent there (other tests share the log,
 * and controllers write in the namespace too).
 */
export async function requestsIn(
  auditLog: string,
  user: string,
  namespace: string,
  sinceMs = 0,
): Promise<AuditedRequest[]> {
  const requests: AuditedRequest[] = [];
  for await (const { write, dryRun } of auditedWrites(auditLog, namespace, sinceMs, user)) {
    if (write.namespace === namespace) requests.push({ ...write, dryRun });
  }
  return requests;
}

/** The write events of lines that mention `needle` (a user, a namespace), by `user` if given. */
async function* auditedWrites(
  auditLog: string,
  needle: string,
  sinceMs: number,
  user?: string,
): AsyncGenerator<{ write: AuditedWrite; dryRun: boolean }> {
  let unparsed: string | undefined;
  const lines = createInterface({ input: createReadStream(auditLog), crlfDelay: Infinity });
  for await (const line of lines) {
    if (unparsed !== undefined) throw new Error(`audit log ${auditLog}: not JSON: ${unparsed}`);
    if (!line.includes(needle)) continue;
    let event: AuditEvent;
    try {
      event = JSON.parse(line) as AuditEvent;
    } catch {
      // Only the last line may be cut short, while the API server is still writing it.
      unparsed = line.slice(0, 200);
      continue;
    }
    const at = Date.parse(event.requestReceivedTimestamp ?? '');
    if (event.stage !== 'ResponseComplete' || at < sinceMs) continue;
    if (user !== undefined && event.user?.username !== user) continue;
    const dryRun =
      event.annotations?.['dryrun.kubernetes.io'] === 'true' || line.includes('dryRun=All');
    const ref = event.objectRef ?? {};
    yield {
      dryRun,
      write: {
        verb: event.verb ?? '',
        resource: ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? ''),
        ...(ref.namespace ? { namespace: ref.namespace } : {}),
        ...(ref.name ? { name: ref.name } : {}),
        code: event.responseStatus?.code ?? 0,
        at,
      },
    };
  }
}
