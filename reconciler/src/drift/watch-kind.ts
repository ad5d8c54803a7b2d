/**
 * List-then-watch of one kind, restarted for as long as the signal allows: after the server
 * ends a watch (its timeout, 410 Gone) the kind is listed again, so nothing that happened in
 * between is missed; after an error it waits `retryMs` first.
 */
import { asError } from '@kustodian/shared/errors';
import { managedBySelector } from '../apply/ownership.ts';
import type { Clock } from '../kube/clock.ts';
import { isGone } from '../kube/errors.ts';
import type { Kube, WatchEvent } from '../kube/kube.ts';
import type { KubeObject } from '../kube/object.ts';

/** A kind to watch. */
export interface KindTarget {
  apiVersion: string;
  kind: string;
}

/** What {@link watchKind} needs and reports to. */
export interface KindWatchHandlers {
  kube: Pick<Kube, 'list' | 'watch'>;
  clock: Clock;
  retryMs: number;
  /** Every (re)list; `first` is true for the first one. */
  onList(items: KubeObject[], first: boolean): void;
  onEvent(event: WatchEvent): void;
  onError?: (error: Error) => void;
}

/** How long one watch request lasts before it is renewed by a fresh list. */
const watchSeconds = 300;

/** Lists and watches `target` (managed objects only) until `signal` aborts. */
export async function watchKind(
  target: KindTarget,
  signal: AbortSignal,
  handlers: KindWatchHandlers,
): Promise<void> {
  let first = true;
  while (!signal.aborted) {
    try {
      const selection = { labelSelector: managedBySelector, signal };
      const list = await handlers.kube.list(target.apiVersion, target.kind, selection);
      handlers.onList(list.items, first);
      first = false;
      const events = handlers.kube.watch(target.apiVersion, target.kind, {
        ...selection,
        resourceVersion: list.resourceVersion,
        timeoutSeconds: watchSeconds,
      });
      for await (const event of events) handlers.onEvent(event);
    } catch (error) {
      if (signal.aborted) return;
      if (isGone(error)) continue;
      handlers.onError?.(asError(error));
      await handlers.clock.sleep(handlers.retryMs, signal).catch(() => undefined);
    }
  }
}
