/**
 * The pipeline's ports, timed: each call of the source, renderer and engine observes its
 * duration as one step of `kustodian_reconcile_step_duration_seconds`, so that the metrics show
 * where a reconcile's time goes (a resync of an unchanged set should spend almost none of it
 * anywhere). The ports themselves are unchanged.
 */
import type { EnginePort, RenderPort, SourcePort } from '../controller/ports.ts';
import { type Metrics, type ReconcileStep, timeStep } from '../metrics.ts';

/** The ports with each call timed. */
export function timedPorts<
  P extends { source: SourcePort; render: RenderPort; engine: EnginePort },
>(ports: P, metrics: Pick<Metrics, 'reconcileSteps'>): P {
  const { source, render, engine } = ports;
  const timed =
    <A extends unknown[], T>(step: ReconcileStep, fn: (...args: A) => Promise<T>) =>
    (...args: A) =>
      timeStep(metrics, step, () => fn(...args));
  return {
    ...ports,
    source: {
      ...source,
      resolve: timed('resolve', source.resolve.bind(source)),
      checkout: timed('fetch', source.checkout.bind(source)),
    },
    render: { ...render, render: timed('render', render.render.bind(render)) },
    engine: {
      ...engine,
      apply: timed('apply', engine.apply.bind(engine)),
      ...(engine.compare ? { compare: timed('apply', engine.compare.bind(engine)) } : {}),
      prune: timed('prune', engine.prune.bind(engine)),
      health: timed('health', engine.health.bind(engine)),
    },
  };
}
