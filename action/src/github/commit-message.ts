/**
 * Commit messages as `createCommitOnBranch` takes them: a `headline` (the first line) and a
 * `body` (the rest), which GitHub joins with a blank line.
 */

/** The two parts of a commit message. */
export interface CommitMessageParts {
  readonly headline: string;
  /** Absent when the message is one line. */
  readonly body?: string;
}

/**
 * Splits `message` at its first line. The blank lines between headline and body, and trailing
 * whitespace, are dropped, so that GitHub's join gives back the message git would store.
 */
export function splitCommitMessage(message: string): CommitMessageParts {
  const normalized = message.replace(/\r\n/g, '\n').trimEnd();
  const newline = normalized.indexOf('\n');
  if (newline < 0) return { headline: normalized.trim() };
  const headline = normalized.slice(0, newline).trim();
  const body = normalized
    .slice(newline + 1)
    .replace(/^\s*\n/, '')
    .trimEnd();
  return body === '' ? { headline } : { headline, body };
}
