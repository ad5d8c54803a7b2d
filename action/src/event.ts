/**
 * Refusing to write from events that run untrusted code with write credentials. A workflow on
 * `pull_request_target` runs with the base repository's token while checking out whatever the
 * pull request says, and a pull request from a fork is someone else's code: neither may make
 * this action push or commit. The same holds one hop later: a `workflow_run` workflow runs with
 * the base repository's token after a run of a fork's code (its `head_repository`), and what
 * that run left behind (artifacts, outputs) was the fork's to choose.
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

/**
 * Events whose payload carries the pull request (`pull_request.head.repo` and
 * `pull_request.base.repo`); writing is refused when the head is another repository.
 */
export const pullRequestEvents = [
  'pull_request',
  'pull_request_review',
  'pull_request_review_comment',
] as const;

/** Why writing is refused on this event, or `undefined` when it is allowed. */
export function writeRefusal(event: WorkflowEvent): string | undefined {
  if (isOneOf(event.name, refusedEvents)) {
    return `refusing to commit from a ${event.name} event: it runs with write access on behalf of pull request authors; use commit: none to validate, or run on push or release`;
  }
  if (isOneOf(event.name, pullRequestEvents)) {
    const pr = field(event.payload, 'pull_request');
    const head = fullName(field(field(pr, 'head'), 'repo'));
    const base = fullName(field(field(pr, 'base'), 'repo'));
    if (head === undefined || base === undefined || head !== base) {
      return `refusing to commit from a pull request of a fork (${head ?? 'unknown repository'}); use commit: none to validate pull requests`;
    }
  }
  if (event.name === 'workflow_run') return workflowRunRefusal(event.payload);
  return undefined;
}

/**
 * A `workflow_run` is refused when the run that triggered it ran a fork's code (its
 * `head_repository` is not its `repository`, or either is unknown), or was itself triggered by
 * an event that is always refused.
 */
function workflowRunRefusal(payload: unknown): string | undefined {
  const run = field(payload, 'workflow_run');
  const trigger = field(run, 'event');
  if (typeof trigger === 'string' && isOneOf(trigger, refusedEvents)) {
    return `refusing to commit from a workflow_run triggered by ${trigger}: it runs with write access on behalf of pull request authors; use commit: none`;
  }
  const head = fullName(field(run, 'head_repository'));
  const repository = fullName(field(run, 'repository'));
  if (head === undefined || repository === undefined || head !== repository) {
    const by = typeof trigger === 'string' ? ` (triggered by ${trigger})` : '';
    return `refusing to commit from a workflow_run of a fork's code${by}: the run came from ${head ?? 'an unknown repository'}, not ${repository ?? 'this repository'}; use commit: none`;
  }
  return undefined;
}

/** `<repository>.full_name`, when it is a string. */
function fullName(repository: unknown): string | undefined {
  const name = field(repository, 'full_name');
  return typeof name === 'string' ? name : undefined;
}

function isOneOf(name: string, names: readonly string[]): boolean {
  return names.includes(name);
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
