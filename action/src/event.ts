/**
 * Refusing to write from events that run untrusted code with write credentials. A workflow on
 * `pull_request_target` runs with the base repository's token while checking out whatever the
 * pull request says, and a pull request from a fork is someone else's code: neither may make
 * this action push or commit.
 */

/** The parts of the event the check reads. */
export interface WorkflowEvent {
  /** `GITHUB_EVENT_NAME`. */
  readonly name: string;
  /** The parsed `GITHUB_EVENT_PATH` payload, when there is one. */
  readonly payload: unknown;
}

/** Events on which a writing commit mode is always refused. */
export const refusedEvents = ['pull_request_target'] as const;

/** Why writing is refused on this event, or `undefined` when it is allowed. */
export function writeRefusal(event: WorkflowEvent): string | undefined {
  if ((refusedEvents as readonly string[]).includes(event.name)) {
    return `refusing to commit from a ${event.name} event: it runs with write access on behalf of pull request authors; use commit: none to validate, or run on push or release`;
  }
  if (event.name === 'pull_request' || event.name === 'pull_request_review') {
    const head = fullName(event.payload, 'head');
    const base = fullName(event.payload, 'base');
    if (head === undefined || base === undefined || head !== base) {
      return `refusing to commit from a pull request of a fork (${head ?? 'unknown repository'}); use commit: none to validate pull requests`;
    }
  }
  return undefined;
}

/** `pull_request.<side>.repo.full_name` of the payload. */
function fullName(payload: unknown, side: 'head' | 'base'): string | undefined {
  const pr = field(payload, 'pull_request');
  const name = field(field(field(pr, side), 'repo'), 'full_name');
  return typeof name === 'string' ? name : undefined;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
