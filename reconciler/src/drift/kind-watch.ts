/**
 * A resumable watch of the objects Kustodian manages of one kind, in every namespace. It starts
 * at the collection's current resourceVersion (a list of one object tells it, without reading
 * the collection) and, when the server ends the watch, resumes from the last resourceVersion
 * seen, which bookmarks keep fresh, so nothing is listed again. Only when that resourceVersion
 * is too old (410 Gone) can events have been missed: the caller hears of it and starts afresh.
 */

import { managedBySelector } from '@kustodian/shared/apply/ownership';
import { asError } from '@kustodian/shared/errors';
import type { Clock } from '../kube/clock.ts';
import { isGone } from '../kube/errors.ts';
import type { Kube } from '../kube/kube.ts';
import type { KubeObject } from '../kube/object.ts';

/** A kind: `apiVersion` and `kind`. */
export interface KindTarget {
  apiVersion: string;
  kind: string;
}

/** What a kind's watch reports to. */
export interface KindWatchHandlers {
  kube: Pick<Kube, 'list' | 'watch'>;
  clock: Clock;
  /** Wait after a failed watch before trying again. */
  retryMs: number;
  onEvent(object: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void;
  /** The resourceVersion was too old: events may have been missed. */
  onGone(): void;
  /** The watch has a resourceVersion to start from: later changes will be told. */
  onStarted?(): void;
  onError(error: Error): void;
}

/** How long one watch request lasts before it is renewed. */
const watchSeconds = 300;

/** Watches managed objects of `target` until `signal` aborts, resuming where it left off. */
export async function watchManagedKind(
  target: KindTarget,
  signal: AbortSignal,
  handlers: KindWatchHandlers,
): Promise<void> {
  const selection = { labelSelector: managedBySelector, signal };
  let resourceVersion: string | undefined;
  while (!signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const probe = { ...selection, limit: 1 };
        resourceVersion = (await handlers.kube.list(target.apiVersion, target.kind, probe))
          .resourceVersion;
        handlers.onStarted?.();
      }
      const events = handlers.kube.watch(target.apiVersion, target.kind, {
        ...selection,
        resourceVersion,
        timeoutSeconds: watchSeconds,
      });
      for await (const event of events) {
        const seen = event.object.metadata.resourceVersion;
        if (typeof seen === 'string' && seen !== '') resourceVersion = seen;
        if (event.type !== 'BOOKMARK') handlers.onEvent(event.object, event.type);
      }
    } catch (error) {
      if (signal.aborted) return;
      if (isGone(error)) {
        resourceVersion = undefined;
        handlers.onGone();
        continue;
      }
      handlers.onError(asError(error));
      await handlers.clock.sleep(handlers.retryMs, signal).catch(() => undefined);
    }
  }
}
