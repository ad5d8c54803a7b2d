/**
 * The live stream of one tab: server-sent events of the Applications the user sees. The changes
 * come from the shared watch of each scope (see `live/hubs.ts`), joined only when an access
 * review as the user allows `list` and `watch` on Applications there, and checked again at each
 * heartbeat (every 15 s), which also ends the stream when the session has ended. Each event's
 * id is the resourceVersion reached, so a tab that reconnects (the browser sends
 * `Last-Event-ID`, the client passes `from`) resumes where it was; when that is no longer
 * buffered the stream says `reset` and the client reads the page again.
 *
 * Events: `change` ({@link LiveChange}), `reset`, `failure` ({ message }), `signed-out`.
 */
import type { ServerResponse } from 'node:http';
import type { LiveChange } from '../../ui/model.ts';
import type { UserKube } from '../kube/users.ts';
import { type NamespaceLister, scopeOf } from '../kube/visible.ts';
import type { Hubs } from '../live/hubs.ts';

/** What one stream needs. */
export interface StreamRequest {
  user: UserKube;
  hubs: Hubs;
  /** The namespace filter of the tab, or '' for all it may see. */
  namespace: string;
  /** The resourceVersion to resume from, or '' for now. */
  from: string;
  listNamespaces: NamespaceLister;
  /** Whether the session is still live (checked at each heartbeat). */
  alive: () => boolean;
  heartbeatMs?: number;
}

async function allowed(user: UserKube, scope: string | undefined): Promise<boolean> {
  const [list, watch] = await Promise.all([
    user.access.can('list', scope ?? ''),
    user.access.can('watch', scope ?? ''),
  ]);
  return list && watch;
}

function refusal(scope: string | undefined): string {
  const where = scope ? `in namespace ${scope}` : 'in all namespaces';
  return `Applications ${where}: not allowed to watch applications.kustodian.dev: ask for RBAC permission "list" and "watch" on "applications.kustodian.dev"`;
}

/** Serves one stream until the client goes, the session ends or access is withdrawn. */
export async function serveStream(res: ServerResponse, request: StreamRequest): Promise<void> {
  res.writeHead(200, {
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Accel-Buffering': 'no',
  });
  res.write('retry: 3000\n\n');
  const send = (event: string, data: unknown, id?: string) =>
    res.write(`${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const leaves: (() => void)[] = [];
  let ended = false;
  let finish = () => {};
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const end = (event?: string, data: unknown = {}) => {
    if (ended) return;
    ended = true;
    if (event) send(event, data);
    finish();
  };
  res.on('close', () => end());
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  try {
    const namespaces = request.namespace
      ? [request.namespace]
      : await scopeOf(request.user, request.listNamespaces);
    const scopes = namespaces ?? [undefined];
    for (const scope of scopes)
      if (!(await allowed(request.user, scope))) {
        end('failure', { message: refusal(scope) });
        return;
      }
    // The id of an event is the oldest resourceVersion any scope has reached: resuming from it
    // may repeat a change, never lose one.
    const reached = new Map<string | undefined, string>(scopes.map((s) => [s, request.from]));
    const idNow = () =>
      [...reached.values()].filter(Boolean).sort((a, b) => Number(a) - Number(b))[0] ?? '';
    for (const scope of scopes) {
      if (ended) break;
      leaves.push(
        await request.hubs.join(scope, request.from, {
          change: (change) => {
            if (ended) return;
            reached.set(scope, change.resourceVersion);
            const live: LiveChange = { type: change.type, application: change.application };
            send('change', live, idNow());
          },
          reset: () => send('reset', {}),
          failed: (message) => end('failure', { message }),
        }),
      );
    }
    heartbeat = setInterval(() => {
      if (!request.alive()) return end('signed-out');
      void Promise.all(scopes.map((s) => allowed(request.user, s))).then((answers) => {
        const denied = scopes.find((_, i) => !answers[i]);
        if (answers.every(Boolean)) res.write(': heartbeat\n\n');
        else end('failure', { message: refusal(denied) });
      });
    }, request.heartbeatMs ?? 15_000);
    await done;
  } catch (error) {
    end('failure', { message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    for (const leave of leaves) leave();
    res.end();
  }
}
