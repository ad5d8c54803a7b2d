/**
 * The steps of a sync as the status shows them, for `sync --wait`: fetch, render, apply,
 * prune, health, each pending, running, done or failed. The reconciler writes a status when it
 * starts applying a new revision (`Reconciling`: "applying revision …") and when it ends (Ready,
 * the inventory, health counts), so a step is known done only at those points; counts of
 * objects come from the inventory and from the health counts. Pure.
 */
import type { ApplicationSummary } from './applications.ts';
import type { RawApplication } from './kube.ts';

/** The steps, in pipeline order. */
export const syncSteps = ['fetch', 'render', 'apply', 'prune', 'health'] as const;
export type SyncStep = (typeof syncSteps)[number];

/** Where a step is. */
export const stepStates = ['pending', 'running', 'done', 'failed'] as const;
export type StepState = (typeof stepStates)[number];

/** One step and what the status says about it. */
export interface StepProgress {
  step: SyncStep;
  state: StepState;
  detail: string;
}

/** The step each failure reason of the Ready condition belongs to. */
const failedStep: Record<string, SyncStep> = {
  InvalidSpec: 'fetch',
  DependencyNotReady: 'fetch',
  AuthFailed: 'fetch',
  FetchFailed: 'fetch',
  BuildFailed: 'render',
  ValidationFailed: 'render',
  ApplyFailed: 'apply',
  PruneFailed: 'prune',
  HealthCheckFailed: 'health',
  Degraded: 'health',
};

interface Status {
  conditions?: { type: string; status: string; reason?: string; message?: string }[];
  inventory?: { entries?: unknown[] };
  health?: { status?: string; counts?: Record<string, number> };
}

/** The steps of a sync just requested, before the reconciler has taken the request. */
export function requestedProgress(): StepProgress[] {
  return syncSteps.map((step) =>
    step === 'fetch'
      ? { step, state: 'running', detail: 'waiting for the reconciler to take the request' }
      : { step, state: 'pending', detail: '' },
  );
}

/** The steps of the sync that handled `requestedAt`, from one state of the Application. */
export function syncProgress(
  app: ApplicationSummary,
  raw: RawApplication,
  requestedAt: string,
): StepProgress[] {
  const status = (raw.status ?? {}) as Status;
  const reconciling = status.conditions?.find((c) => c.type === 'Reconciling');
  if (app.handledRequestedAt !== requestedAt) return requestedProgress();
  const states = new Map<SyncStep, StepProgress>(
    syncSteps.map((step) => [step, { step, state: 'pending', detail: '' }]),
  );
  const set = (step: SyncStep, state: StepState, detail = '') =>
    states.set(step, { step, state, detail });
  const objects = status.inventory?.entries?.length ?? 0;
  const counts = status.health?.counts ?? {};
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const current = counts.Current ?? 0;
  const failure = app.ready === 'False' ? failedStep[app.reason] : undefined;
  const order = syncSteps.indexOf(failure ?? 'health');
  if (app.ready === 'Unknown' && reconciling?.status === 'True') {
    // Fetched; rendering, applying, pruning and assessing health are under way.
    set('fetch', 'done', app.attemptedRevision);
    set('render', 'running', reconciling.message ?? '');
    return [...states.values()];
  }
  for (const step of syncSteps.slice(0, order)) set(step, 'done');
  states.get('fetch')!.detail = app.attemptedRevision;
  if (order > syncSteps.indexOf('apply')) set('apply', 'done', `${objects}/${objects} objects`);
  if (failure) set(failure, 'failed', app.message);
  else if (app.health === 'Healthy') set('health', 'done', `${current}/${total} current`);
  else if (app.ready === 'True' || app.health === 'Progressing')
    set('health', 'running', `${current}/${total} current`);
  return [...states.values()];
}

/** `fetch ✓ · render ✓ · apply ✓ 3/3 objects · prune ✓ · health … 2/3 current`. */
export function progressLine(steps: readonly StepProgress[]): string {
  const mark: Record<StepState, string> = { pending: '·', running: '…', done: '✓', failed: '✗' };
  return steps
    .map(
      (s) =>
        `${s.step} ${mark[s.state]}${s.detail && !(s.step === 'fetch' && s.state === 'done') ? ` ${s.detail}` : ''}`,
    )
    .join('  ');
}
