/**
 * Waiting for an Application to reach a goal: a sync request handled, a revision applied
 * (`synced`), or applied and healthy (`healthy`). Polls the Application with GET.
 */
import { type ApplicationSummary, type Applications, commitOf } from './applications.ts';

/** What to wait for. */
export const waitGoals = ['synced', 'healthy'] as const;
export type WaitGoal = (typeof waitGoals)[number];

/** How a wait ended. */
export const waitOutcomes = ['reached', 'failed', 'suspended', 'timeout'] as const;
export type WaitOutcome = (typeof waitOutcomes)[number];

/** What to wait for, and how long. */
export interface WaitSpec {
  goal: WaitGoal;
  /** A commit (or its prefix) that must be the applied one. */
  revision?: string | undefined;
  /** A sync request (`kustodian.dev/requested-at` value) that must have been handled. */
  requestedAt?: string | undefined;
  timeoutMs: number;
  /** Called with each state read while waiting. */
  onProgress?: (app: ApplicationSummary) => void;
  pollMs?: number;
}

/** The verdict of one state against a spec: undefined while it is still on the way. */
export function verdict(
  app: ApplicationSummary,
  spec: WaitSpec,
): Exclude<WaitOutcome, 'timeout'> | undefined {
  if (app.suspended) return 'suspended';
  if (spec.requestedAt !== undefined && app.handledRequestedAt !== spec.requestedAt)
    return undefined;
  const wanted = spec.revision;
  const attempted = commitOf(app.attemptedRevision);
  if (app.ready === 'False' && (!wanted || attempted.startsWith(wanted))) return 'failed';
  if (wanted && !app.commit.startsWith(wanted)) return undefined;
  if (spec.goal === 'synced')
    return app.revision && app.ready !== 'Unknown' ? 'reached' : undefined;
  return app.ready === 'True' && app.health === 'Healthy' ? 'reached' : undefined;
}

/** Reads the Application until the spec is reached, failed, or the time is up. */
export async function waitForApplication(
  apps: Applications,
  namespace: string,
  name: string,
  spec: WaitSpec,
): Promise<{ outcome: WaitOutcome; app: ApplicationSummary }> {
  const deadline = Date.now() + spec.timeoutMs;
  for (;;) {
    const app = await apps.get(namespace, name);
    spec.onProgress?.(app);
    const outcome = verdict(app, spec);
    if (outcome) return { outcome, app };
    if (Date.now() >= deadline) return { outcome: 'timeout', app };
    await new Promise((resolve) => setTimeout(resolve, spec.pollMs ?? 500));
  }
}
