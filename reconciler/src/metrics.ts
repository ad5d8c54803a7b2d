/**
 * The reconciler's Prometheus metrics, on a registry of its own (never prom-client's global
 * one, so two instances in one process, as in tests, do not collide). Callers reach each metric
 * through the typed {@link Metrics} object, so a metric or label name cannot be misspelled.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** Every metric name, for dashboards and tests. */
export const metricNames = {
  reconcileDuration: 'kustodian_reconcile_duration_seconds',
  reconcileTotal: 'kustodian_reconcile_total',
  reconcileSteps: 'kustodian_reconcile_step_duration_seconds',
  objectsApplied: 'kustodian_objects_applied_total',
  objectsPruned: 'kustodian_objects_pruned_total',
  driftCorrections: 'kustodian_drift_corrections_total',
  driftConflicts: 'kustodian_drift_conflicts_total',
  queueDepth: 'kustodian_queue_depth',
  sourceFetches: 'kustodian_source_fetches_total',
  applications: 'kustodian_applications',
  kubeRequests: 'kustodian_kube_requests_total',
  leader: 'kustodian_leader',
} as const;

/** Upper bounds of the reconcile duration histogram, in seconds: 50 ms to 10 minutes. */
export const reconcileDurationBuckets = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600,
];

/** The steps of a reconcile that `reconcileSteps` times, as its `step` label names them. */
export const reconcileSteps = [
  'resolve',
  'fetch',
  'render',
  'apply',
  'prune',
  'health',
  'status',
] as const;
export type ReconcileStep = (typeof reconcileSteps)[number];

/** Upper bounds of the step duration histogram, in seconds: 5 ms to 10 minutes. */
export const stepDurationBuckets = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 600,
];

/** The metrics, each with its label names fixed by type. */
export interface Metrics {
  /** The registry to serve on `/metrics`. */
  readonly registry: Registry;
  /** Time of one reconcile of one Application; `result` such as `success`, `failure`. */
  readonly reconcileDuration: Histogram<'result'>;
  /**
   * Time of each step of a reconcile (`resolve`, `fetch`, `render`, `apply`, `prune`, `health`,
   * `status`), so that a slow reconcile shows where its time went.
   */
  readonly reconcileSteps: Histogram<'step'>;
  /** Reconciles by `result` (`success`, `failure`, `superseded`) and condition `reason`. */
  readonly reconcileTotal: Counter<'result' | 'reason'>;
  /** Objects applied, by `outcome` (`created`, `configured`, `unchanged`, ...). */
  readonly objectsApplied: Counter<'outcome'>;
  /** Objects deleted by pruning. */
  readonly objectsPruned: Counter;
  /** Objects changed by hand and set back (self-heal). */
  readonly driftCorrections: Counter;
  /** Fights over fields with another field manager, detected and given up (see `conflicts.ts`). */
  readonly driftConflicts: Counter;
  /** Applications waiting in the work queue. */
  readonly queueDepth: Gauge;
  /** Fetches and remote checks of config repos, by `result`. */
  readonly sourceFetches: Counter<'result'>;
  /** Applications known, by `ready` (`true`, `false`, `unknown`). */
  readonly applications: Gauge<'ready'>;
  /** Requests sent to the API server, by `verb` (`get`, `list`, `watch`, `apply`, ...). */
  readonly kubeRequests: Counter<'verb'>;
  /** 1 while this instance holds the leader Lease, else 0. */
  readonly leader: Gauge;
}

/** Options of {@link createMetrics}. */
export interface MetricsOptions {
  /** Also collect prom-client's process metrics (resident memory, CPU, heap, event loop); default true. */
  processMetrics?: boolean;
}

/** Creates the metrics on a fresh registry. */
export function createMetrics(options: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (options.processMetrics ?? true) collectDefaultMetrics({ register: registry });
  const registers = [registry];
  const metrics: Metrics = {
    registry,
    reconcileDuration: new Histogram({
      name: metricNames.reconcileDuration,
      help: 'Duration of one reconcile of one Application, in seconds.',
      labelNames: ['result'] as const,
      buckets: reconcileDurationBuckets,
      registers,
    }),
    reconcileSteps: new Histogram({
      name: metricNames.reconcileSteps,
      help: 'Duration of each step of a reconcile, in seconds.',
      labelNames: ['step'] as const,
      buckets: stepDurationBuckets,
      registers,
    }),
    reconcileTotal: new Counter({
      name: metricNames.reconcileTotal,
      help: 'Reconciles of Applications, by result and condition reason.',
      labelNames: ['result', 'reason'] as const,
      registers,
    }),
    objectsApplied: new Counter({
      name: metricNames.objectsApplied,
      help: 'Objects applied by server-side apply, by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    objectsPruned: new Counter({
      name: metricNames.objectsPruned,
      help: 'Objects deleted because they left the rendered configuration.',
      registers,
    }),
    driftCorrections: new Counter({
      name: metricNames.driftCorrections,
      help: 'Objects changed outside Kustodian and set back to the configuration.',
      registers,
    }),
    driftConflicts: new Counter({
      name: metricNames.driftConflicts,
      help: 'Fields of an object that another field manager kept setting back, no longer reverted.',
      registers,
    }),
    queueDepth: new Gauge({
      name: metricNames.queueDepth,
      help: 'Applications waiting to be reconciled.',
      registers,
    }),
    sourceFetches: new Counter({
      name: metricNames.sourceFetches,
      help: 'Checks and fetches of config repositories, by result.',
      labelNames: ['result'] as const,
      registers,
    }),
    applications: new Gauge({
      name: metricNames.applications,
      help: 'Applications known to the reconciler, by readiness.',
      labelNames: ['ready'] as const,
      registers,
    }),
    kubeRequests: new Counter({
      name: metricNames.kubeRequests,
      help: 'Requests sent to the Kubernetes API server, by verb.',
      labelNames: ['verb'] as const,
      registers,
    }),
    leader: new Gauge({
      name: metricNames.leader,
      help: '1 while this instance holds the leader election Lease, else 0.',
      registers,
    }),
  };
  metrics.leader.set(0);
  metrics.queueDepth.set(0);
  return metrics;
}

/** Runs `fn`, observing its duration (also when it throws) as `step`. */
export async function timeStep<T>(
  metrics: Pick<Metrics, 'reconcileSteps'>,
  step: ReconcileStep,
  fn: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await fn();
  } finally {
    metrics.reconcileSteps.observe({ step }, (performance.now() - started) / 1000);
  }
}
