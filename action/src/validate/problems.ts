/**
 * What the checks find. Expected failures are data: every check returns problems, the pipeline
 * collects them, and the action fails once, at the end, listing every error.
 */

/** How bad a problem is: errors fail the run, warnings are shown. */
export const severities = ['error', 'warning'] as const;
export type Severity = (typeof severities)[number];

/** Which check found a problem. */
export const checkNames = [
  'inputs',
  'event',
  'jail',
  'build',
  'parse',
  'schema',
  'api-version',
  'unknown-kind',
  'same-place',
  'image',
  'bump',
  'land',
  'report',
] as const;
export type CheckName = (typeof checkNames)[number];

/** One finding, with the file and line in the repository when they are known. */
export interface Problem {
  readonly severity: Severity;
  readonly check: CheckName;
  readonly message: string;
  /** The overlay it was found in, relative to the repository root. */
  readonly overlay?: string;
  /** A file in the repository, relative to its root. */
  readonly file?: string;
  readonly line?: number;
}

/** Shorthand for an error. */
export function error(check: CheckName, message: string, where: Partial<Problem> = {}): Problem {
  return { ...where, severity: 'error', check, message };
}

/** Shorthand for a warning. */
export function warning(check: CheckName, message: string, where: Partial<Problem> = {}): Problem {
  return { ...where, severity: 'warning', check, message };
}

/** The errors among `problems`. */
export function errorsOf(problems: readonly Problem[]): Problem[] {
  return problems.filter((problem) => problem.severity === 'error');
}
