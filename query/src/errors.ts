/**
 * The errors of the query layer, in a module of their own (no Kubernetes client), so that a
 * caller can tell them apart without loading the client first.
 */

/** The kinds of failure a user can act on. */
export const queryFailures = [
  'not-found',
  'forbidden',
  'unreachable',
  'unauthorized',
  'kubeconfig',
  'other',
] as const;
export type QueryFailure = (typeof queryFailures)[number];

/** An error naming the object, the verb and what to do. */
export class QueryError extends Error {
  readonly failure: QueryFailure;

  constructor(failure: QueryFailure, message: string) {
    super(message);
    this.failure = failure;
    this.name = 'QueryError';
  }
}
