/**
 * Kubernetes Events on Applications: one per thing a person would want to see in
 * `kubectl describe kapp` (a revision applied, objects pruned, drift reverted or, with selfHeal
 * off, detected and left, a failure).
 * Repeats of the same event are folded into one Event with a count, and every message is
 * redacted and bounded before it leaves the process.
 */
import { createHash } from 'node:crypto';
import type { Application } from '../api/application.ts';
import type { Kube } from '../kube/kube.ts';

/** Event types as Kubernetes has them. */
export const eventTypes = ['Normal', 'Warning'] as const;
export type EventType = (typeof eventTypes)[number];

/** The reasons this reconciler records. */
export const eventReasons = [
  'RevisionApplied',
  'ObjectsPruned',
  'ObjectsDeleted',
  'ObjectsOrphaned',
  'DriftReverted',
  'DriftDetected',
  'DriftConflict',
  'ReconcileFailed',
  'Suspended',
] as const;
export type EventReason = (typeof eventReasons)[number];

/** Records Events; never throws (an Event that cannot be written is only logged by the caller). */
export interface EventRecorder {
  record(app: Application, type: EventType, reason: EventReason, message: string): Promise<void>;
}

/** Options of {@link createEventRecorder}. */
export interface EventRecorderOptions {
  readonly kube: Kube;
  readonly redact: (text: string) => string;
  readonly now: () => Date;
  /** This instance, for `reportingInstance` (the pod name). */
  readonly instance: string;
  readonly onError?: (error: unknown) => void;
}

const maxMessage = 1024;

/** Creates a recorder that writes `v1` Events with server-side apply. */
export function createEventRecorder(options: EventRecorderOptions): EventRecorder {
  const seen = new Map<string, { count: number; first: string }>();
  return {
    record: async (app, type, reason, text) => {
      const message = truncate(options.redact(text));
      const namespace = app.metadata.namespace ?? 'default';
      const digest = createHash('sha256')
        .update(`${type}\n${reason}\n${message}`)
        .digest('hex')
        .slice(0, 16);
      const name = `${app.metadata.name.slice(0, 200)}.${digest}`;
      const key = `${namespace}/${name}`;
      const now = options.now().toISOString();
      const before = seen.get(key);
      const state = { count: (before?.count ?? 0) + 1, first: before?.first ?? now };
      seen.set(key, state);
      if (seen.size > 10_000) seen.delete(seen.keys().next().value ?? key);
      try {
        await options.kube.apply({
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: app.apiVersion,
            kind: app.kind,
            name: app.metadata.name,
            namespace,
            ...(typeof app.metadata.uid === 'string' ? { uid: app.metadata.uid } : {}),
          },
          type,
          reason,
          message,
          count: state.count,
          firstTimestamp: state.first,
          lastTimestamp: now,
          source: { component: 'kustodian' },
          reportingComponent: 'kustodian.dev/reconciler',
          reportingInstance: options.instance,
        });
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}

function truncate(text: string): string {
  return text.length <= maxMessage ? text : `${text.slice(0, maxMessage - 3)}...`;
}
