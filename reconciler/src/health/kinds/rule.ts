/** The shape of a per-kind health rule. */
import type { KubeObject } from '../../kube/object.ts';
import type { HealthResult } from '../status.ts';

/** What a rule may need besides the object: the current time (for Pod scheduling windows). */
export interface AssessContext {
  /** Milliseconds since the epoch. */
  now: number;
}

/** Judges one live object of the rule's kind. Pure; throws only on data it cannot read. */
export type KindRule = (obj: KubeObject, context: AssessContext) => HealthResult;
