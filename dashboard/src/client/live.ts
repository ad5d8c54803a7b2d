/**
 * The tab's live stream: one EventSource, resumed from the last event id after a failure with
 * an exponential backoff (1 s doubling to 30 s), closed while the tab is hidden and resumed when
 * it shows again.
 */
import type { LiveChange } from '../ui/model.ts';

/** The states the page shows. */
export const liveStates = ['connecting', 'live', 'paused', 'reconnecting', 'offline'] as const;
export type LiveState = (typeof liveStates)[number];

/** What the stream tells the page. */
export interface LiveHandlers {
  onChange(change: LiveChange): void;
  /** The server lost track (the resourceVersion is gone): read the page again. */
  onReset(): void;
  onState(state: LiveState, message?: string): void;
  onSignedOut(): void;
}

/** A stream that can be pointed at another namespace. */
export interface Live {
  restart(namespace: string, from: string): void;
  close(): void;
}

export function openLive(namespace: string, from: string, handlers: LiveHandlers): Live {
  let source: EventSource | undefined;
  let lastId = from;
  let scope = namespace;
  let delay = 1000;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  const connect = () => {
    if (closed || document.hidden) return;
    const params = new URLSearchParams();
    if (scope) params.set('namespace', scope);
    if (lastId) params.set('from', lastId);
    const es = new EventSource(`/api/stream?${params}`);
    source = es;
    es.onopen = () => {
      delay = 1000;
      handlers.onState('live');
    };
    es.addEventListener('change', (event) => {
      const message = event as MessageEvent<string>;
      if (message.lastEventId) lastId = message.lastEventId;
      handlers.onChange(JSON.parse(message.data) as LiveChange);
    });
    es.addEventListener('reset', () => handlers.onReset());
    es.addEventListener('signed-out', () => {
      stop();
      closed = true;
      handlers.onSignedOut();
    });
    es.addEventListener('failure', (event) => {
      const data = JSON.parse((event as MessageEvent<string>).data) as { message: string };
      handlers.onState('offline', data.message);
    });
    es.onerror = () => {
      // Our own backoff instead of the browser's fixed retry.
      stop();
      handlers.onState('reconnecting');
      timer = setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30_000);
    };
  };
  const stop = () => {
    source?.close();
    source = undefined;
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  document.addEventListener('visibilitychange', () => {
    if (closed) return;
    if (document.hidden) {
      stop();
      handlers.onState('paused');
    } else if (!source) connect();
  });
  handlers.onState('connecting');
  connect();
  return {
    restart: (namespace, from) => {
      stop();
      scope = namespace;
      lastId = from;
      delay = 1000;
      connect();
    },
    close: () => {
      closed = true;
      stop();
    },
  };
}
