/**
 * `POST /hooks/github`: GitHub's push webhook. The body is read with a size limit (413 beyond)
 * and a time limit (408), its `X-Hub-Signature-256` is checked against the shared secret before
 * anything in it is read (401 when missing or wrong), `ping` is answered, `push` hands the
 * repository's addresses to {@link WebhookOptions.onPush}, and every other event is accepted
 * and ignored (202), as GitHub expects a 2xx for events a receiver does not use.
 *
 * A push is answered 202 only once its refresh is on its way; when it could not be passed on
 * (the API server did not take it), 503 with `Retry-After`, so the sender sees a failed
 * delivery to retry or redeliver instead of a success that did nothing.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { messageOf } from '@kustodian/shared/errors';
import type { Logger } from '../log.ts';
import { type PushEvent, parsePushEvent, verifySignature } from './github.ts';

/** Largest body accepted: GitHub caps payloads at 25 MB, but pushes are far smaller. */
export const defaultBodyLimitBytes = 1024 * 1024;
/** Longest time a client may take to send its body. */
export const defaultReadTimeoutMs = 10_000;

/**
 * How a push was passed on: `refreshed` by the controller of this replica (it leads), or
 * `requested` of the leader through the API server (this replica is a standby).
 */
export const pushRoutes = ['refreshed', 'requested'] as const;
export type PushRoute = (typeof pushRoutes)[number];

/** What became of one push. */
export interface PushResult {
  readonly route: PushRoute;
  /** How many Applications it concerned. */
  readonly applications: number;
}

/** Seconds a sender is asked to wait before sending a push again that could not be passed on. */
export const retryAfterSeconds = 10;

/** How the webhook is configured. */
export interface WebhookOptions {
  /** The secret set on the GitHub webhook. */
  secret: string;
  /** Called for every signed push; passes it on and settles; rejects when it could not. */
  onPush(push: PushEvent): Promise<PushResult>;
  bodyLimitBytes?: number;
  readTimeoutMs?: number;
}

/** A body read to its end, or why it was not. */
type BodyRead = { ok: true; body: Buffer } | { ok: false; status: 408 | 413; problem: string };

/** Answers one request to the webhook route. */
export async function handleGithubHook(
  req: IncomingMessage,
  res: ServerResponse,
  options: WebhookOptions,
  logger: Logger,
): Promise<void> {
  const log = logger.child({ component: 'webhook', delivery: header(req, 'x-github-delivery') });
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return answer(res, 405, 'method not allowed');
  }
  const read = await readBody(req, options);
  if (!read.ok) {
    log.warn('webhook body refused', { problem: read.problem });
    res.setHeader('Connection', 'close');
    answer(res, read.status, read.problem);
    res.once('finish', () => req.destroy());
    return;
  }
  if (!verifySignature(options.secret, read.body, header(req, 'x-hub-signature-256'))) {
    log.warn('webhook signature missing or wrong');
    return answer(res, 401, 'signature missing or wrong');
  }
  const event = header(req, 'x-github-event');
  if (event === 'ping') return answer(res, 200, 'pong');
  if (event !== 'push') return answer(res, 202, `event ${JSON.stringify(event ?? '')} ignored`);
  const parsed = parsePushEvent(read.body);
  if (!parsed.ok) {
    log.warn('webhook push unreadable', { problem: parsed.problem });
    return answer(res, 400, parsed.problem);
  }
  log.info('push received', { urls: parsed.push.urls, ref: parsed.push.ref });
  let result: PushResult;
  try {
    result = await options.onPush(parsed.push);
  } catch (thrown) {
    log.error('push could not be passed on', { error: messageOf(thrown) });
    res.setHeader('Retry-After', String(retryAfterSeconds));
    return answer(res, 503, 'refresh could not be requested; send the push again later');
  }
  log.info(`push ${result.route}`, { applications: result.applications });
  const count = `${result.applications} Application(s)`;
  return answer(
    res,
    202,
    result.route === 'refreshed'
      ? `refresh triggered for ${count}`
      : `refresh requested of the leader for ${count}`,
  );
}

/** Reads the whole body, refusing more than the limit and a client slower than the timeout. */
function readBody(req: IncomingMessage, options: WebhookOptions): Promise<BodyRead> {
  const limit = options.bodyLimitBytes ?? defaultBodyLimitBytes;
  const timeoutMs = options.readTimeoutMs ?? defaultReadTimeoutMs;
  const tooLarge = { ok: false, status: 413, problem: `body larger than ${limit} bytes` } as const;
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > limit) return Promise.resolve(tooLarge);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(tooLarge);
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish({ ok: true, body: Buffer.concat(chunks) });
    const onError = (): void => finish({ ok: false, status: 408, problem: 'body not received' });
    const timer = setTimeout(
      () => finish({ ok: false, status: 408, problem: `body not received in ${timeoutMs} ms` }),
      timeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

function answer(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.end(`${text}\n`);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
