/**
 * GitHub push webhooks, the pure parts: checking `X-Hub-Signature-256`, reading a push payload,
 * and reducing repository addresses to one key, so that a push to `https://github.com/o/r`
 * finds the Applications that pull `git@github.com:o/r.git`.
 *
 * A webhook only ever triggers a refresh: the reconciler then asks the repository itself which
 * commit is current. Nothing in the body (not `after`, not a ref) decides what gets applied.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The prefix of GitHub's SHA-256 signature header value. */
const signaturePrefix = 'sha256=';

/**
 * Whether `header` (`sha256=<hex>`) is the HMAC-SHA256 of `body` under `secret`. Compares in
 * constant time; a missing, malformed or wrong-length header is simply not valid.
 */
export function verifySignature(secret: string, body: Buffer, header: string | undefined): boolean {
  if (header === undefined || !header.startsWith(signaturePrefix)) return false;
  const hex = header.slice(signaturePrefix.length);
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) return false;
  const given = Buffer.from(hex, 'hex');
  const expected = createHmac('sha256', secret).update(body).digest();
  // timingSafeEqual throws on different lengths; the regex above already fixed it at 32 bytes.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The signature header GitHub would send for `body` (for tests and tools). */
export function signBody(secret: string, body: Buffer | string): string {
  return `${signaturePrefix}${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** What a push says: which repository (as {@link repoKey}s) moved which ref to which commit. */
export interface PushEvent {
  /** Keys of every address of the pushed repository, without duplicates. */
  urls: string[];
  /** The full ref, such as `refs/heads/main`. */
  ref: string;
  /** The commit the ref now points at (informational only). */
  after: string;
}

/** A push payload read, or the reason it could not be. */
export type PushParse = { ok: true; push: PushEvent } | { ok: false; problem: string };

/** The `repository` fields that hold an address of the repository. */
const urlFields = ['clone_url', 'ssh_url', 'html_url', 'git_url'] as const;

/** Reads a push event's JSON body. */
export function parsePushEvent(body: Buffer | string): PushParse {
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString());
  } catch {
    return { ok: false, problem: 'the body is not JSON' };
  }
  if (!isRecord(payload)) return { ok: false, problem: 'the body is not a JSON object' };
  const repository = payload.repository;
  if (!isRecord(repository)) return { ok: false, problem: 'the push names no repository' };
  const keys = new Set<string>();
  for (const field of urlFields) {
    const value = repository[field];
    const key = typeof value === 'string' ? repoKey(value) : undefined;
    if (key !== undefined) keys.add(key);
  }
  if (keys.size === 0) return { ok: false, problem: 'the push names no repository address' };
  const ref = typeof payload.ref === 'string' ? payload.ref : '';
  const after = typeof payload.after === 'string' ? payload.after : '';
  return { ok: true, push: { urls: [...keys].sort(), ref, after } };
}

/** `[user@]host:path`, git's scp-like address form. */
const scpLike = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/;

/**
 * One key per repository, `host/owner/repo`, whatever the address form: `https://host/o/r`,
 * `https://host/o/r.git/`, `git@host:o/r.git`, `ssh://git@host:22/o/r.git` and
 * `git://host/o/r.git` all give `host/o/r`. The user, the port and a trailing `.git` or `/` are
 * dropped and the key is lowercased (GitHub names are case-insensitive). Returns `undefined`
 * for text that is not an address. A wrong match only costs a cheap extra check of the remote.
 */
export function repoKey(address: string): string | undefined {
  const text = address.trim();
  let host: string;
  let path: string;
  const scp = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? null : scpLike.exec(text);
  if (scp) {
    host = scp[1] ?? '';
    path = scp[2] ?? '';
  } else {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      return undefined;
    }
    if (!['https:', 'http:', 'ssh:', 'git:'].includes(url.protocol)) return undefined;
    host = url.hostname;
    path = decodeURIComponent(url.pathname);
  }
  const trimmed = path
    .replace(/^[/~]+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/i, '')
    .replace(/\/+$/, '');
  if (host === '' || trimmed === '') return undefined;
  return `${host}/${trimmed}`.toLowerCase();
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
