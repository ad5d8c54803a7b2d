/**
 * Problems as annotations. GitHub resolves an annotation's `file` and `line` in the workflow's
 * own repository, at the commit the run is for (`GITHUB_SHA`); it knows nothing of the clone of
 * the config repository this action makes. So a problem's place is given as `file`/`line` only
 * when the config repository is the workflow's repository and the files the problem was found
 * in are those of `GITHUB_SHA`. Otherwise (the usual case: an app repository's workflow bumping
 * a separate config repository) the place goes into the message text as
 * `apps/web/overlays/staging/kustomization.yaml:12: ...`, which cannot point at a wrong file.
 */

import { defaultServerUrl } from '../git/remote.ts';
import type { Problem } from '../validate/problems.ts';
import type { ActionSink, AnnotationPlace } from './sink.ts';

/** Annotations of one severity GitHub shows for a step. */
const annotationLimit = 10;

/** Where a problem's file and line go: the annotation's properties, or its message text. */
export const placements = ['properties', 'text'] as const;
export type Placement = (typeof placements)[number];

/** What decides whether the workflow's repository holds the files a problem names. */
export interface FilesOrigin {
  /** The `repository` input: `owner/name` or a git URL. */
  readonly repository: string;
  /** The commit whose files were validated. */
  readonly head?: string;
  /** `GITHUB_REPOSITORY`, `GITHUB_SHA`, `GITHUB_SERVER_URL`. */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * `properties` when the config repository is the workflow's repository (as `owner/name`, its
 * `GITHUB_SERVER_URL` URL or its SSH address) and the validated commit is `GITHUB_SHA`; `text`
 * whenever that is not certain.
 */
export function placementFor(origin: FilesOrigin): Placement {
  const { GITHUB_REPOSITORY: own, GITHUB_SHA: sha } = origin.env;
  if (!own || !sha || origin.head !== sha) return 'text';
  return isWorkflowRepository(origin.repository, own, origin.env.GITHUB_SERVER_URL)
    ? 'properties'
    : 'text';
}

function isWorkflowRepository(repository: string, own: string, serverUrl?: string): boolean {
  const server = (serverUrl || defaultServerUrl).replace(/\/+$/, '');
  const name = repository
    .trim()
    .replace(/\/+$/, '')
    .replace(/\.git$/, '')
    .toLowerCase();
  const wanted = own.toLowerCase();
  if (name === wanted || name === `${server.toLowerCase()}/${wanted}`) return true;
  let host = '';
  try {
    host = new URL(server).host.toLowerCase();
  } catch {
    return false;
  }
  return name === `git@${host}:${wanted}` || name === `ssh://git@${host}/${wanted}`;
}

/** The message and properties of `problem`'s annotation. */
export function annotationOf(
  problem: Problem,
  placement: Placement,
): { message: string; place: AnnotationPlace } {
  const title = `kustodian ${problem.check}`;
  if (problem.file === undefined) return { message: problem.message, place: { title } };
  if (placement === 'properties') {
    const line = problem.line === undefined ? {} : { line: problem.line };
    return { message: problem.message, place: { title, file: problem.file, ...line } };
  }
  return { message: locatedMessage(problem, problem.file), place: { title } };
}

/**
 * `file:line: message` (a message that starts with `file: ` gets the line added there); with no
 * line, `file: message` unless the message already names the file or its overlay.
 */
function locatedMessage(problem: Problem, file: string): string {
  const { message, line, overlay } = problem;
  if (line === undefined) {
    const named =
      message.includes(file) ||
      (overlay !== undefined && overlay !== '.' && message.includes(overlay));
    return named ? message : `${file}: ${message}`;
  }
  const rest = message.startsWith(`${file}: `) ? message.slice(file.length + 2) : message;
  return `${file}:${line}: ${rest}`;
}

/**
 * The first `annotationLimit` errors and warnings as annotations, the rest as log lines, each
 * placed by `placementOf` (given the problem's index in `problems`).
 */
export function annotate(
  problems: readonly Problem[],
  sink: ActionSink,
  placementOf: (index: number) => Placement,
): void {
  const counts = { error: 0, warning: 0 };
  problems.forEach((problem, index) => {
    counts[problem.severity]++;
    if (counts[problem.severity] > annotationLimit) {
      sink.info(`${problem.severity}: ${annotationOf(problem, 'text').message}`);
      return;
    }
    const { message, place } = annotationOf(problem, placementOf(index));
    if (problem.severity === 'error') sink.error(message, place);
    else sink.warning(message, place);
  });
}
