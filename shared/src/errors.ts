/**
 * Errors that name the step, the object and the cause.
 *
 * Every failure a user sees reads `<step> <object>: <what went wrong>`, for example
 * `build overlays/prod: kustomize exited 1: ...` or `apply apps/Deployment/web/api: field is
 * immutable: spec.selector`. The original error stays reachable through `cause`.
 */
export class StepError extends Error {
  /** What was being done: `fetch`, `build`, `parse`, `validate`, `apply`, `prune`, `push`, ... */
  readonly step: string;
  /** What it was done to: an object id, an overlay path, a file, a repository (already redacted). */
  readonly object: string;

  constructor(step: string, object: string, message: string, options?: { cause?: unknown }) {
    super(`${step} ${object}: ${message}`, options);
    this.name = 'StepError';
    this.step = step;
    this.object = object;
  }
}

/** The message of anything thrown, without assuming it is an `Error`. */
export function messageOf(thrown: unknown): string {
  if (thrown instanceof Error) return thrown.message;
  if (typeof thrown === 'string') return thrown;
  try {
    return JSON.stringify(thrown) ?? String(thrown);
  } catch {
    return String(thrown);
  }
}

/** Wraps anything thrown into an `Error`, so that only `Error`s travel further. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(messageOf(thrown), { cause: thrown });
}
