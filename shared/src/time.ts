/**
 * Commit times as Kustodian writes them: RFC 3339 in UTC to the second
 * (`2026-12-04T19:59:29Z`). A time comes from git (`%cI`), from a workflow's event payload or
 * from a commit trailer, so it is untrusted text: anything that is not an RFC 3339 date-time
 * is no time at all, never a guess (the API server would refuse a status that carried it).
 */

/** `YYYY-MM-DDTHH:MM:SS`, optional fraction, `Z` or a `±HH:MM` offset (RFC 3339 §5.6). */
const rfc3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * `text` as an RFC 3339 time in UTC to the second, or `undefined` when it is not an RFC 3339
 * date-time (or names no real instant, such as February 30th).
 */
export function commitTime(text: string | undefined): string | undefined {
  const trimmed = text?.trim() ?? '';
  if (!rfc3339.test(trimmed)) return undefined;
  const ms = Date.parse(trimmed.toUpperCase());
  if (!Number.isFinite(ms)) return undefined;
  const utc = new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  // `Date.parse` rolls an impossible day over into the next month; such a text names no time.
  const [date] = trimmed.split(/[Tt]/);
  const shifted = offsetDate(trimmed, ms);
  return shifted === date ? utc : undefined;
}

/** The calendar date of `ms` in the offset `text` was written in, `YYYY-MM-DD`. */
function offsetDate(text: string, ms: number): string {
  const offset = /([+-])(\d{2}):(\d{2})$/.exec(text);
  const minutes = offset
    ? (offset[1] === '-' ? -1 : 1) * (Number(offset[2]) * 60 + Number(offset[3]))
    : 0;
  return new Date(ms + minutes * 60_000).toISOString().slice(0, 10);
}
