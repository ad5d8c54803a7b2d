/**
 * Plain-text forms the CLI and the dashboard print alike: a duration between two steps, and a
 * text with its full commit hashes shortened. Pure.
 */

/** `850ms`, `42s`, `5m`, `3h`: a duration in milliseconds, rounded to its largest unit. */
export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))}ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

/** `text` with every full SHA-1 or SHA-256 hex commit cut to its first 12 digits. */
export function shortCommits(text: string): string {
  return text.replace(/\b[0-9a-f]{40,64}\b/g, (sha) => sha.slice(0, 12));
}
