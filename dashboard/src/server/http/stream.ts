/**
 * The live stream of one tab: server-sent events of the Applications the user sees, from a
 * Kubernetes watch made as the user. Each event's id is the resourceVersion reached, so a tab
 * that reconnects (the browser sends `Last-Event-ID`, the client passes `from`) resumes where it
 * was; when that version is gone the stream says `reset` and the client reads the page again.
 * A heartbeat every 15 s keeps proxies from closing it and ends it when the session has ended.
 *
 * Events: `change` ({@link LiveChange}), `reset`, `failure` ({ message }), `signed-out`.
 */
import type { ServerResponse } from 'node:http';
import { summarize } from '@kustodian/query/applications';
import type { ChangeType } from '@kustodian/query/watch';
import type { LiveChange } from '../../ui/model.ts';
import type { UserKube } from '../kube/users.ts';
import { type NamespaceLister, scopeOf } from '../kube/visible.ts';

/** What one stream needs. */
export interface StreamRequest {
  user: UserKube;
  /** The namespace filter of the tab, or '' for all it may see. */
  namespace: string;
  /** The resourceVersion to resume from, or '' for now. */
  from: string;
  listNamespaces: NamespaceLister;
  /** Whether the session is still live (checked at each heartbeat). */
  alive: () => boolean;
  heartbeatMs?: number;
}

/** Serves one stream until the client goes, the session ends or the watch fails. */
export async function serveStream(res: ServerResponse, request: StreamRequest): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const controller = new AbortController();
  const stop = () => controller.abort();
  res.on('close', stop);
  const send = (event: string, data: unknown, id?: string) =>
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const heartbeat = setInterval(() => {
    if (!request.alive()) {
      send('signed-out', {});
      stop();
      return;
    }
    res.write(': heartbeat\n\n');
  }, request.heartbeatMs ?? 15_000);
  try {
    const namespaces = request.namespace
      ? [request.namespace]
      : await scopeOf(request.user, request.listNamespaces);
    const scopes = namespaces ?? [undefined];
    // The id of an event is the oldest resourceVersion any watch has reached: resuming from it
    // may repeat a change, never lose one.
    const reached = new Map<string | undefined, string>(scopes.map((s) => [s, request.from]));
    const idNow = () =>
      [...reached.values()].filter(Boolean).sort((a, b) => Number(a) - Number(b))[0] ?? '';
    await Promise.all(
      scopes.map((scope) =>
        request.user.apps.changes.follow(
          scope,
          undefined,
          (type: ChangeType, raw) => {
            const version = (raw.metadata as { resourceVersion?: string }).resourceVersion ?? '';
            if (version) reached.set(scope, version);
            const change: LiveChange = { type, application: summarize(raw) };
            send('change', change, idNow());
          },
          controller.signal,
          {
            from: request.from || undefined,
            onRelist: () => send('reset', {}),
            onVersion: (version) => reached.set(scope, version),
          },
        ),
      ),
    );
  } catch (error) {
    if (!controller.signal.aborted)
      send('failure', { message: error instanceof Error ? error.message : String(error) });
  } finally {
    clearInterval(heartbeat);
    controller.abort();
    res.end();
  }
}
