/**
 * Reading a watch stream: one JSON event per line. `ERROR` events carry a `Status` (410 Gone when
 * the resourceVersion is too old) and become thrown errors.
 */
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import { KubeApiError, readStatus } from './errors.ts';
import { type WatchEvent, type WatchEventType, watchEventTypes } from './kube.ts';
import { isRecord, type KubeObject } from './object.ts';

/**
 * The events of a watch response. Objects get `apiVersion` and `kind` when the server left them
 * out. Ends when the stream ends or `signal` (the request's) aborts.
 */
export async function* readWatchEvents(
  response: IncomingMessage,
  target: { apiVersion: string; kind: string },
  signal?: AbortSignal,
): AsyncGenerator<WatchEvent> {
  const lines = createInterface({ input: response, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    for await (const line of lines) {
      if (line.trim() === '') continue;
      const event = parseWatchLine(line, target);
      if (event) yield event;
    }
  } catch (error) {
    // Aborting the request is how a watch is stopped; it is not an error.
    if (!signal?.aborted) throw error;
  } finally {
    lines.close();
    response.destroy();
  }
}

/** Parses one line of a watch stream; throws on `ERROR` events and malformed lines. */
export function parseWatchLine(
  line: string,
  target: { apiVersion: string; kind: string },
): WatchEvent | undefined {
  const what = `${target.apiVersion}/${target.kind}`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (cause) {
    throw new Error(`watch ${what}: the server sent a line that is not JSON`, { cause });
  }
  if (!isRecord(parsed) || !isRecord(parsed.object)) {
    throw new Error(`watch ${what}: the server sent an event without an object`);
  }
  if (parsed.type === 'ERROR') {
    const code = typeof parsed.object.code === 'number' ? parsed.object.code : 500;
    throw new KubeApiError('watch', what, readStatus(code, 'Error', JSON.stringify(parsed.object)));
  }
  if (!watchEventTypes.includes(parsed.type as WatchEventType)) return undefined;
  const object = parsed.object as Partial<KubeObject>;
  return {
    type: parsed.type as WatchEventType,
    object: withTypeMeta(object, target),
  };
}

/** Fills in `apiVersion` and `kind`, which list items and watch objects may lack. */
export function withTypeMeta(
  object: Partial<KubeObject>,
  target: { apiVersion: string; kind: string },
): KubeObject {
  return {
    ...object,
    apiVersion: object.apiVersion ?? target.apiVersion,
    kind: object.kind ?? target.kind,
    metadata: object.metadata ?? { name: '' },
  };
}
