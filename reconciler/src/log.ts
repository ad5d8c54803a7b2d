/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields such as
 * `application`, `revision`, `step`). Every string that reaches a line, at any depth, passes
 * through redaction first: credentials in URLs and `Authorization` headers, and every secret
 * value registered with the {@link Redactor} (git passwords, tokens, keys read from Secrets).
 */
import { redactAll } from '@kustodian/shared/redact';

/** Log levels, least severe first. */
export const logLevels = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof logLevels)[number];

/** Fields attached to a line or bound to a child logger. */
export type LogFields = Record<string, unknown>;

/** Writes structured lines. */
export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every line (and shares level, sink and redactor). */
  child(fields: LogFields): Logger;
}

/** Where finished lines go (one JSON text without the newline). */
export interface LogSink {
  write(line: string): void;
}

/** Known secret values, and the one function that scrubs text of them and of URL credentials. */
export interface Redactor {
  /** Adds a value that must never be written (ignored when shorter than 4 characters). */
  addSecret(value: string): void;
  /** `text` with every registered secret and every URL credential replaced by `***`. */
  redact(text: string): string;
}

/** Creates an empty {@link Redactor}. */
export function createRedactor(): Redactor {
  const secrets = new Set<string>();
  return {
    addSecret: (value) => {
      if (value !== '') secrets.add(value);
    },
    redact: (text) => redactAll(text, [...secrets]),
  };
}

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lines below this level are dropped; default `info`. */
  level?: LogLevel;
  /** Default: standard output. */
  sink?: LogSink;
  /** Default: a new, empty redactor. */
  redactor?: Redactor;
  /** Milliseconds since the epoch, for `time`; default `Date.now`. */
  now?: () => number;
  /** Fields bound to every line. */
  fields?: LogFields;
}

/** The sink writing to standard output. */
export const stdoutSink: LogSink = { write: (line) => process.stdout.write(`${line}\n`) };

/** Creates a logger writing JSON lines. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const minimum = logLevels.indexOf(options.level ?? 'info');
  const sink = options.sink ?? stdoutSink;
  const redactor = options.redactor ?? createRedactor();
  const now = options.now ?? Date.now;

  const make = (bound: LogFields): Logger => {
    const write = (level: LogLevel, msg: string, fields?: LogFields): void => {
      if (logLevels.indexOf(level) < minimum) return;
      const line = {
        time: new Date(now()).toISOString(),
        level,
        msg: redactor.redact(msg),
        ...scrub({ ...bound, ...fields }, redactor),
      };
      sink.write(serialize(line));
    };
    return {
      debug: (msg, fields) => write('debug', msg, fields),
      info: (msg, fields) => write('info', msg, fields),
      warn: (msg, fields) => write('warn', msg, fields),
      error: (msg, fields) => write('error', msg, fields),
      child: (fields) => make({ ...bound, ...fields }),
    };
  };
  return make(options.fields ?? {});
}

/** Reads a level name (`--log-level`), or throws naming the accepted ones. */
export function parseLogLevel(text: string): LogLevel {
  const level = logLevels.find((candidate) => candidate === text.toLowerCase());
  if (!level) throw new Error(`unknown log level "${text}": expected ${logLevels.join(', ')}`);
  return level;
}

/** A sink that keeps lines in memory, parsed, for tests and diagnostics. */
export interface MemorySink extends LogSink {
  readonly lines: Record<string, unknown>[];
}

/** Creates a {@link MemorySink}. */
export function memorySink(): MemorySink {
  const lines: Record<string, unknown>[] = [];
  return { lines, write: (line) => lines.push(JSON.parse(line) as Record<string, unknown>) };
}

/** Deepest nesting written; anything deeper becomes a marker, so a cycle cannot hang a log. */
const maxDepth = 8;

/** Keys every line starts with; fields cannot overwrite them. */
const reservedKeys: readonly string[] = ['time', 'level', 'msg'];

function scrub(fields: LogFields, redactor: Redactor): LogFields {
  const out: LogFields = {};
  for (const [key, value] of Object.entries(fields)) {
    if (reservedKeys.includes(key)) continue;
    const scrubbed = scrubValue(value, redactor, 0);
    if (scrubbed !== undefined) out[key] = scrubbed;
  }
  return out;
}

/** A JSON-safe, redacted copy of a value; `Error`s become `{ name, message, ... }`. */
function scrubValue(value: unknown, redactor: Redactor, depth: number): unknown {
  if (typeof value === 'string') return redactor.redact(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value === 'bigint') return value.toString();
  if (value === undefined || typeof value === 'function' || typeof value === 'symbol') {
    return undefined;
  }
  if (depth >= maxDepth) return '[too deep]';
  if (value instanceof Error) return scrubValue(errorFields(value), redactor, depth + 1);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => scrubValue(item, redactor, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) {
    const scrubbed = scrubValue(entry, redactor, depth + 1);
    if (scrubbed !== undefined) out[key] = scrubbed;
  }
  return out;
}

function errorFields(error: Error): Record<string, unknown> {
  const fields: Record<string, unknown> = { name: error.name, message: error.message };
  for (const key of ['step', 'object', 'reason', 'httpStatus'] as const) {
    const value = (error as unknown as Record<string, unknown>)[key];
    if (value !== undefined) fields[key] = value;
  }
  if (error.cause !== undefined) {
    fields.cause = error.cause instanceof Error ? errorFields(error.cause) : error.cause;
  }
  return fields;
}

function serialize(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({ time: record.time, level: record.level, msg: record.msg });
  }
}
