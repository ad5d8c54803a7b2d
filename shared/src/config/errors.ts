/**
 * Turning schema failures into lines a user can act on:
 * `images[2]: expected a tag or digest, got "Latest!"`: where, what was expected, what was
 * given. Values of fields that hold credentials are shown as `***`, and URLs lose their
 * userinfo, so a rejected input never carries a secret into a log.
 */
import type { z } from 'zod';
import { StepError } from '../errors.ts';
import { REDACTED, redactUrlsIn } from '../redact.ts';

/** Field names whose values are never echoed (matched anywhere in a path segment). */
const SECRET_FIELD = /token|password|passphrase|secret|identity|credential|private|bearer|auth/i;

/** Longest echo of a given value before it is cut short. */
const MAX_ECHO = 80;

type Issue = z.core.$ZodIssue;
type RawIssue = z.core.$ZodRawIssue;

const typeNames: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/**
 * A per-parse error map (`schema.safeParse(input, { error: issueMessage })`) that phrases
 * zod's built-in checks as "expected ...". Messages set on a schema still take precedence.
 */
export function issueMessage(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      const expected = typeNames[issue.expected] ?? issue.expected;
      return issue.input === undefined ? `required: expected ${expected}` : `expected ${expected}`;
    }
    case 'too_small':
      return boundMessage('at least', 'more than', issue.origin, issue.minimum, issue.inclusive);
    case 'too_big':
      return boundMessage('at most', 'less than', issue.origin, issue.maximum, issue.inclusive);
    case 'invalid_value':
      return issue.values.length === 1
        ? `expected ${JSON.stringify(issue.values[0])}`
        : `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}`;
    case 'invalid_format':
      return formatMessage(issue);
    case 'unrecognized_keys':
      return `unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    default:
      return undefined;
  }
}

function formatMessage(issue: z.core.$ZodRawIssue<z.core.$ZodIssueInvalidStringFormat>): string {
  switch (issue.format) {
    case 'regex':
      return `expected text matching ${issue.pattern}`;
    case 'starts_with':
      return `expected text starting with ${JSON.stringify(issue.prefix)}`;
    case 'ends_with':
      return `expected text ending with ${JSON.stringify(issue.suffix)}`;
    case 'includes':
      return `expected text containing ${JSON.stringify(issue.includes)}`;
    default:
      return `expected a valid ${issue.format}`;
  }
}

function boundMessage(
  inclusiveWord: string,
  exclusiveWord: string,
  origin: string,
  bound: number | bigint,
  inclusive: boolean | undefined,
): string {
  const word = inclusive === false ? exclusiveWord : inclusiveWord;
  if (origin === 'string') {
    return bound === 1 && word === 'at least'
      ? 'expected a non-empty string'
      : `expected ${word} ${bound} characters`;
  }
  if (origin === 'array' || origin === 'set') return `expected ${word} ${bound} items`;
  return `expected ${word} ${bound}`;
}

/**
 * One line per issue: `<field path>: <message>, got <value>`. `subject` names the whole input
 * for issues about the input itself (an empty path). The value is echoed only when the parse
 * was run with `reportInput: true` (as {@link parseWith} does), and never for secret fields.
 */
export function formatIssues(error: z.ZodError, subject: string): string[] {
  return error.issues.map((issue) => {
    const path = formatPath(issue.path);
    const where = path === '' ? subject : path;
    const given = describeInput(issue);
    return given === undefined
      ? `${where}: ${issue.message}`
      : `${where}: ${issue.message}, got ${given}`;
  });
}

/** `images[2]`, `source.ref.branch`, `labels["app.kubernetes.io/name"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'symbol') text += `[${String(segment)}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(segment)) text += text === '' ? segment : `.${segment}`;
    else text += `[${JSON.stringify(segment)}]`;
  }
  return text;
}

function describeInput(issue: Issue): string | undefined {
  if (!('input' in issue) || issue.input === undefined) return undefined;
  if (issue.code === 'unrecognized_keys' || issue.code === 'invalid_union') return undefined;
  if (issue.path.some(isSecretField)) return REDACTED;
  return describeValue(issue.input);
}

/** A field holding a secret; a field naming one (`secretRef`, `tokenName`) is not one. */
function isSecretField(segment: PropertyKey): boolean {
  return typeof segment === 'string' && SECRET_FIELD.test(segment) && !/(Ref|Name)$/.test(segment);
}

/** A short, secret-free description of a value: strings quoted, structures by their shape. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value !== 'string') return String(value);
  const text = redactUrlsIn(value);
  const cut = text.length > MAX_ECHO ? `${text.slice(0, MAX_ECHO)}...` : text;
  return JSON.stringify(cut);
}

/** `problem` alone, or `N problems:` followed by one indented line each. */
export function listProblems(lines: readonly string[]): string {
  if (lines.length === 1) return lines[0] ?? '';
  return [`${lines.length} problems:`, ...lines.map((line) => `  ${line}`)].join('\n');
}

/**
 * Parses `input` with `schema`, or throws a {@link StepError} (`step`, `subject`) that lists
 * every issue. Use it once, at the edge, where invalid input means the program cannot go on.
 */
export function parseWith<S extends z.ZodType>(
  schema: S,
  input: unknown,
  step: string,
  subject: string,
): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true, error: issueMessage });
  if (result.success) return result.data;
  // No `cause`: the zod error holds the raw input, secrets included, and printing an error
  // prints its cause.
  throw new StepError(step, subject, listProblems(formatIssues(result.error, subject)));
}
