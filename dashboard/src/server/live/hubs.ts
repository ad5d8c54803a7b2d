/**
 * The live changes of Applications, one Kubernetes watch per scope (a namespace, or the whole
 * cluster) shared by every stream that shows it, whoever opened it: the server watches with its
 * own account, and a stream joins a scope only after an access review, made as its user, allows
 * `list` and `watch` there (see `stream.ts`). So 20 tabs cost one watch, not 20.
 *
 * A hub keeps its last {@link bufferSize} changes, so a tab that reconnects with the
 * resourceVersion it reached gets what it missed; one further behind is told to reload. A hub
 * nobody listens to lingers {@link lingerMs} (a reload comes back to it), then stops its watch.
 */
import { type ApplicationSummary, summarize } from '@kustodian/query/applications';
import type { ApplicationsApi } from '@kustodian/query/kube';
import type { ApplicationChanges, ChangeType } from '@kustodian/query/watch';
import type { Logger } from '../log.ts';

/** One change as subscribers get it. */
export interface HubChange {
  type: ChangeType;
  application: ApplicationSummary;
  resourceVersion: string;
}

/** What a subscriber is told. */
export interface HubListener {
  change(change: HubChange): void;
  /** The hub lost its place (or the subscriber is too far behind): read everything again. */
  reset(): void;
  /** The hub's watch failed for good. */
  failed(message: string): void;
}

const bufferSize = 5000;
const lingerMs = 30_000;

/** The watch of one scope and its listeners. */
class Hub {
  readonly listeners = new Set<HubListener>();
  readonly buffer: HubChange[] = [];
  /** The resourceVersion the buffer starts after. */
  base = '';
  readonly controller = new AbortController();
  readonly ready: Promise<void>;
  linger: ReturnType<typeof setTimeout> | undefined;

  constructor(
    scope: string | undefined,
    from: string,
    api: ApplicationsApi,
    changes: ApplicationChanges,
    log: Logger,
    onEnd: () => void,
  ) {
    this.ready = (async () => {
      // From the version the first tab read its page at, so that it misses nothing; a hub
      // started without one starts now.
      const resourceVersion = from || (await api.snapshot(scope)).resourceVersion;
      this.base = resourceVersion;
      void changes
        .follow(scope, undefined, (type, raw) => this.#publish(type, raw), this.controller.signal, {
          from: resourceVersion,
          onRelist: () => {
            this.buffer.length = 0;
            for (const listener of this.listeners) listener.reset();
          },
          onVersion: (version) => {
            if (this.buffer.length === 0) this.base = version;
          },
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          log.error('live watch failed', { scope: scope ?? 'cluster', reason: message });
          for (const listener of this.listeners) listener.failed(message);
        })
        .finally(onEnd);
    })();
  }

  #publish(type: ChangeType, raw: Parameters<typeof summarize>[0]): void {
    const resourceVersion =
      (raw.metadata as { resourceVersion?: string }).resourceVersion ?? this.base;
    const change = { type, application: summarize(raw), resourceVersion };
    this.buffer.push(change);
    if (this.buffer.length > bufferSize)
      this.base = this.buffer.shift()?.resourceVersion ?? this.base;
    for (const listener of this.listeners) listener.change(change);
  }
}

/** The hubs of every scope in use. */
export class Hubs {
  readonly #hubs = new Map<string, Hub>();
  readonly #api: ApplicationsApi;
  readonly #changes: ApplicationChanges;
  readonly #log: Logger;

  constructor(api: ApplicationsApi, changes: ApplicationChanges, log: Logger) {
    this.#api = api;
    this.#changes = changes;
    this.#log = log;
  }

  /** How many watches are open. */
  get size(): number {
    return this.#hubs.size;
  }

  /**
   * Joins the hub of `scope`, first replaying what came after `from` (or telling the listener to
   * reset when that is no longer buffered); returns how to leave.
   */
  async join(scope: string | undefined, from: string, listener: HubListener): Promise<() => void> {
    const key = scope ?? '';
    let hub = this.#hubs.get(key);
    if (!hub) {
      const created: Hub = new Hub(scope, from, this.#api, this.#changes, this.#log, () => {
        if (this.#hubs.get(key) === created) this.#hubs.delete(key);
      });
      hub = created;
      this.#hubs.set(key, hub);
    }
    if (hub.linger) clearTimeout(hub.linger);
    hub.linger = undefined;
    try {
      await hub.ready;
    } catch (error) {
      if (this.#hubs.get(key) === hub) this.#hubs.delete(key);
      throw error;
    }
    if (from && Number(from) < Number(hub.base)) listener.reset();
    else if (from)
      for (const change of hub.buffer)
        if (Number(change.resourceVersion) > Number(from)) listener.change(change);
    hub.listeners.add(listener);
    const joined = hub;
    return () => {
      joined.listeners.delete(listener);
      if (joined.listeners.size > 0 || joined.linger) return;
      joined.linger = setTimeout(() => {
        joined.linger = undefined;
        if (joined.listeners.size > 0) return;
        joined.controller.abort();
        if (this.#hubs.get(key) === joined) this.#hubs.delete(key);
      }, lingerMs);
      joined.linger.unref();
    };
  }

  /** Stops every watch. */
  close(): void {
    for (const hub of this.#hubs.values()) {
      if (hub.linger) clearTimeout(hub.linger);
      hub.controller.abort();
    }
    this.#hubs.clear();
  }
}
