/**
 * Git trailers (`Key: value` lines in the last paragraph of a commit message), which the Action
 * writes to trace a bump back to the app repository, its commit and the workflow run.
 */

/** The trailers of `message`: the last paragraph's `Key: value` lines, if all lines are such. */
export function parseTrailers(message: string): Record<string, string> {
  const paragraphs = message.trim().split(/\n\s*\n/);
  if (paragraphs.length < 2) return {};
  const last = paragraphs.at(-1) ?? '';
  const trailers: Record<string, string> = {};
  for (const line of last.split('\n')) {
    const match = /^([A-Za-z0-9][A-Za-z0-9-]*):\s*(.+)$/.exec(line.trim());
    if (!match) return {};
    trailers[match[1] as string] = (match[2] as string).trim();
  }
  return trailers;
}
