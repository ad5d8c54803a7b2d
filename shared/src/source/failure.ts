/**
 * Why a source could not be resolved or checked out, as a closed set the controller turns into a
 * condition reason, and the error that carries it.
 *
 * Classification reads git's stderr, which is why every git process runs with `LC_ALL=C`
 * (see git.ts). The text itself reaches users only after redaction: git echoes URLs and, when
 * tracing, headers.
 */
import { StepError } from '../errors.ts';
import { redactAll } from '../redact.ts';

/** Every reason a source step can fail for; the controller's condition reasons come from here. */
export const sourceFailureReasons = [
  /** Either side failed to prove who it is: credentials refused, unknown host key, untrusted TLS. */
  'AuthFailed',
  /** The host could not be reached or answered with a server error. */
  'Unreachable',
  /** The branch, tag, commit or repository does not exist (or is hidden from these credentials). */
  'RefNotFound',
  /** git ran longer than its time limit and was stopped. */
  'Timeout',
  /** The checkout is bigger than the store's size cap. */
  'TooLarge',
  /** The source is refused before any network traffic: URL, ref or Secret is not acceptable. */
  'InvalidSource',
  /** Anything else; the message carries git's own words. */
  'Other',
] as const;

/** One of {@link sourceFailureReasons}. */
export type SourceFailureReason = (typeof sourceFailureReasons)[number];

/** A failed source step: `fetch <redacted url>: <what happened>`, with a reason for the condition. */
export class SourceError extends StepError {
  readonly reason: SourceFailureReason;

  constructor(
    object: string,
    reason: SourceFailureReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('fetch', object, message, options);
    this.name = 'SourceError';
    this.reason = reason;
  }
}

/** How a git process ended, as far as classification needs it. */
export interface GitOutcome {
  readonly exitCode: number | undefined;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** A shape of git's stderr: the reason it means and, where git's words are cryptic, a hint. */
interface StderrPattern {
  readonly reason: SourceFailureReason;
  readonly pattern: RegExp;
  readonly hint?: string;
}

/**
 * What git, curl and ssh print for each reason, checked in this order: a failed SSH login also
 * prints the generic "Could not read from remote repository", so the specific lines come first.
 */
const stderrPatterns: readonly StderrPattern[] = [
  {
    reason: 'AuthFailed',
    pattern: /authentication failed|could not read (username|password)|terminal prompts disabled/i,
    hint: 'the server asked for credentials: those in the Secret were refused, or there were none',
  },
  {
    reason: 'AuthFailed',
    pattern: /returned error: 40[13]\b|permission denied \(|access denied|invalid credentials/i,
    hint: 'the server refused the credentials in the Secret',
  },
  {
    reason: 'AuthFailed',
    pattern:
      /host key verification failed|no .* host key is known|host identification has changed/i,
    hint: "the host's SSH key is not in known_hosts",
  },
  {
    reason: 'AuthFailed',
    pattern: /ssl certificate problem|certificate verification failed|certificate verify failed/i,
    hint: "the server's certificate is not trusted; its CA belongs in ca.crt",
  },
  {
    reason: 'RefNotFound',
    pattern: /not our ref|couldn't find remote ref|no such remote ref|unadvertised object/i,
    hint: 'the server has no such commit, or does not allow fetching a commit by its hash',
  },
  { reason: 'RefNotFound', pattern: /repository '.*' not found|returned error: 404\b/i },
  {
    reason: 'Unreachable',
    pattern: /could not resolve (host|hostname|proxy)|failed to connect|couldn't connect/i,
  },
  {
    reason: 'Unreachable',
    pattern: /connection (refused|reset|timed out)|network is unreachable|no route to host/i,
  },
  {
    reason: 'Unreachable',
    pattern: /returned error: 5\d\d\b|empty reply from server|operation timed out/i,
  },
  { reason: 'Unreachable', pattern: /could not read from remote repository|remote end hung up/i },
];

function matchOf(outcome: GitOutcome): StderrPattern | undefined {
  return stderrPatterns.find(({ pattern }) => pattern.test(outcome.stderr));
}

/** The reason a finished git process failed, from its timeout flag and its stderr. */
export function classifyGitFailure(outcome: GitOutcome): SourceFailureReason {
  if (outcome.timedOut) return 'Timeout';
  return matchOf(outcome)?.reason ?? 'Other';
}

/** The most of git's stderr kept in a message: the last lines are the ones that say why. */
const maxStderrLines = 6;
const maxStderrChars = 600;

/**
 * git's stderr made fit for a message: credentials removed (`secrets` and any URL userinfo or
 * header), hints dropped, only the last lines kept. Redaction runs before cutting so that a cut
 * never leaves part of a secret behind.
 */
export function stderrSummary(stderr: string, secrets: readonly string[]): string {
  const lines = redactAll(stderr, secrets)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('hint:'));
  const text = lines.slice(-maxStderrLines).join('; ');
  return text.length > maxStderrChars ? `...${text.slice(-maxStderrChars)}` : text;
}

/**
 * The error for a git command that failed: its reason, and a message naming the command, how it
 * ended and what git said, redacted.
 */
export function gitFailure(
  object: string,
  command: string,
  outcome: GitOutcome,
  secrets: readonly string[],
  timeoutMs: number | undefined,
): SourceError {
  const reason = classifyGitFailure(outcome);
  const hint = outcome.timedOut ? undefined : matchOf(outcome)?.hint;
  const ended = outcome.timedOut
    ? `timed out${timeoutMs === undefined ? '' : ` after ${timeoutMs} ms`}`
    : `exited ${outcome.exitCode ?? 'on a signal'}`;
  const said = stderrSummary(outcome.stderr, secrets);
  const message = [`git ${command} ${ended}`, hint, said].filter(Boolean).join(': ');
  return new SourceError(object, reason, message);
}
