/**
 * `dependsOn`: an Application waits until every Application it names is Ready at its current
 * generation, so that CRDs, namespaces or databases another Application provides exist first.
 */
import type { Application } from '../api/application.ts';
import { generationOf } from '../api/application.ts';
import { findCondition } from '../status/conditions.ts';
import type { AppContext, ApplicationLookup } from './ports.ts';

/** Why `ctx` must wait, or undefined when every dependency is Ready. */
export function dependencyProblem(ctx: AppContext, lookup: ApplicationLookup): string | undefined {
  const waiting: string[] = [];
  for (const dep of ctx.spec.dependsOn) {
    const namespace = dep.namespace ?? ctx.namespace;
    const app = lookup.get(namespace, dep.name);
    const problem = app ? notReady(app) : 'not found';
    if (problem) waiting.push(`${namespace}/${dep.name} (${problem})`);
  }
  return waiting.length > 0 ? `waiting for ${waiting.join(', ')}` : undefined;
}

function notReady(app: Application): string | undefined {
  const status = app.status;
  if (status?.observedGeneration !== generationOf(app)) return 'not yet reconciled';
  const ready = findCondition(status.conditions ?? [], 'Ready');
  if (ready?.status !== 'True') return ready ? `${ready.reason}` : 'not Ready';
  return undefined;
}
