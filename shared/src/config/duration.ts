/**
 * Durations written the way Go (`time.ParseDuration`) and Flux write them: `30s`, `5m`,
 * `1h30m`, `1.5h`, `250ms`. Values are milliseconds in the program.
 */
import { z } from 'zod';

/** Nanoseconds per unit; `µs` and `μs` (micro sign and Greek mu) both mean microseconds. */
const UNIT_NS = {
  ns: 1,
  us: 1e3,
  µs: 1e3,
  μs: 1e3,
  ms: 1e6,
  s: 1e9,
  m: 60e9,
  h: 3600e9,
} as const;

type Unit = keyof typeof UNIT_NS;

const component = /(\d+\.?\d*|\.\d+)([a-zµμ]+)/y;

/** What a duration looks like, for messages. */
export const DURATION_HINT = 'a duration like 30s, 5m or 1h30m (units: ms, s, m, h)';

/** The longest wait a Node.js timer can hold (2^31-1 ms), rounded down to whole hours: 596h. */
export const MAX_DURATION_MS = 596 * 3600 * 1000;

/**
 * Reads a Go-style duration into milliseconds. `0` alone is allowed; negative durations are
 * not. Throws an `Error` saying what was expected when the text is not a duration.
 */
export function parseDuration(text: string): number {
  const fail = (why: string): never => {
    throw new Error(`${JSON.stringify(text)} is not a duration: ${why}`);
  };
  if (text === '0') return 0;
  if (text.startsWith('-')) fail('it must not be negative');
  const body = text.startsWith('+') ? text.slice(1) : text;
  if (body === '') fail(`expected ${DURATION_HINT}`);
  let nanoseconds = 0;
  component.lastIndex = 0;
  while (component.lastIndex < body.length) {
    const match = component.exec(body);
    if (!match) return fail(`expected ${DURATION_HINT}`);
    const [, amount = '', unit = ''] = match;
    if (!(unit in UNIT_NS)) return fail(`unknown unit "${unit}" (units: ms, s, m, h)`);
    nanoseconds += Number(amount) * UNIT_NS[unit as Unit];
  }
  return Math.round(nanoseconds) / 1e6;
}

/**
 * Writes milliseconds the short way: `5m`, `1h30m`, `1m30s`, `1.5s`, `250ms`, `0s`. The
 * result reads back to the same value with {@link parseDuration}.
 */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const hours = Math.floor(ms / 3_600_000);
  const minutes = Math.floor((ms % 3_600_000) / 60_000);
  const seconds = (ms % 60_000) / 1000;
  const parts: string[] = [];
  if (hours > 0) parts.push(`${hours}h`);
  if (minutes > 0) parts.push(`${minutes}m`);
  if (seconds > 0) parts.push(`${Number(seconds.toFixed(6))}s`);
  return parts.join('');
}

/** Bounds for a duration field, in milliseconds. */
export interface DurationBounds {
  min: number;
  max?: number;
}

/** A zod string that must be a duration within `bounds`; its output is milliseconds. */
export function durationSchema(bounds: DurationBounds) {
  const max = bounds.max ?? MAX_DURATION_MS;
  return z.string().transform((text, ctx) => {
    let ms: number;
    try {
      ms = parseDuration(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: `expected ${DURATION_HINT}`, input: text });
      return z.NEVER;
    }
    if (ms < bounds.min || ms > max) {
      const range = `between ${formatDuration(bounds.min)} and ${formatDuration(max)}`;
      ctx.addIssue({ code: 'custom', message: `expected a duration ${range}`, input: text });
      return z.NEVER;
    }
    return ms;
  });
}
