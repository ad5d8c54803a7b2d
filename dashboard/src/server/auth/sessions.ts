/**
 * Server-side sessions: the browser holds only an opaque random id (in an HttpOnly cookie); the
 * identity, the CSRF token and the expiry live here. A session ends at its expiry or at logout,
 * whichever comes first, and an ended session is gone: its id is worth nothing afterwards.
 * Pending sign-ins (state, nonce, PKCE verifier) are kept the same way, for ten minutes.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Identity } from './identity.ts';
import type { PendingLogin } from './oidc.ts';

/** The clock, passed in. */
export type Clock = () => number;

/** One signed-in browser. */
export interface Session {
  readonly id: string;
  readonly identity: Identity;
  /** Sent back by the client in `X-CSRF-Token` (or the `csrf` form field) on every change. */
  readonly csrfToken: string;
  /** Milliseconds since the epoch. */
  readonly expiresAt: number;
}

const pendingTtlMs = 10 * 60_000;

/** A new opaque id: 32 random bytes, base64url. */
export function randomId(): string {
  return randomBytes(32).toString('base64url');
}

/** The store of sessions and pending sign-ins, in memory (one replica). */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #pending = new Map<string, { login: PendingLogin; expiresAt: number }>();
  readonly #ttlMs: number;
  readonly #now: Clock;

  constructor(ttlMs: number, now: Clock = Date.now) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  /** Starts a session; it ends at the earlier of the session lifetime and `notAfter`. */
  create(identity: Identity, notAfter = Number.POSITIVE_INFINITY): Session {
    this.#sweep();
    const session: Session = {
      id: randomId(),
      identity,
      csrfToken: randomId(),
      expiresAt: Math.min(this.#now() + this.#ttlMs, notAfter),
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of an id, or undefined (unknown, ended or expired). */
  get(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const session = this.#sessions.get(id);
    if (!session) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  /** Ends a session. */
  delete(id: string): void {
    this.#sessions.delete(id);
  }

  /** Keeps a pending sign-in under a new id. */
  addPending(login: PendingLogin): string {
    this.#sweep();
    const id = randomId();
    this.#pending.set(id, { login, expiresAt: this.#now() + pendingTtlMs });
    return id;
  }

  /** Takes a pending sign-in out (once only). */
  takePending(id: string | undefined): PendingLogin | undefined {
    if (!id) return undefined;
    const entry = this.#pending.get(id);
    this.#pending.delete(id);
    if (!entry || entry.expiresAt <= this.#now()) return undefined;
    return entry.login;
  }

  /** How many sessions are live. */
  get size(): number {
    this.#sweep();
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, s] of this.#sessions) if (s.expiresAt <= now) this.#sessions.delete(id);
    for (const [id, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(id);
  }
}

/** Whether a sent CSRF token is the session's, compared in constant time. */
export function csrfMatches(session: Session, sent: string | undefined): boolean {
  if (!sent) return false;
  const a = Buffer.from(session.csrfToken);
  const b = Buffer.from(sent);
  return a.length === b.length && timingSafeEqual(a, b);
}
