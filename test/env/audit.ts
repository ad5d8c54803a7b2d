/**
 * Reading the API server's audit log: which write requests a user made, as the server saw them.
 * This is how tests prove "a no-op resync makes zero writes" independently of the client.
 */
import { readFile } from 'node:fs/promises';

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

/** Write requests by `user` received at or after `sinceMs` (dry runs excluded). */
export async function writesBy(
  auditLog: string,
  user: string,
  sinceMs = 0,
): Promise<AuditedWrite[]> {
  const text = await readFile(auditLog, 'utf8').catch(() => '');
  const writes: AuditedWrite[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes(user)) continue;
    const event = JSON.parse(line) as AuditEvent;
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
