/**
 * A client-side request limiter: a token bucket holding up to `burst` tokens, refilled at `qps`
 * tokens per second, like client-go's default flow control. Every request takes one token;
 * waiters are served in arrival order.
 */
import type { Clock } from './clock.ts';

/** Rate settings of a {@link TokenBucket}. */
export interface RateLimit {
  /** Sustained requests per second. */
  qps: number;
  /** Requests allowed at once after a quiet period. */
  burst: number;
}

/**
 * client-go's defaults are 5/10; a reconciler applying hundreds of objects needs more. A first
 * sync costs about one request per object (a write of each new one), and a resync of an
 * unchanged set almost none. At 200 a second with a burst of 400, a first sync of 1,000 objects
 * could not take less than 3.2 s, about what the whole apply takes on a quiet two-core control
 * plane, so on a larger one the bucket and not the server would set the pace. The API
 * server's own priority and fairness is what protects it from overload; this bucket only bounds
 * a runaway loop, so a set of a thousand objects goes through unpaced.
 */
export const defaultRateLimit: Readonly<RateLimit> = Object.freeze({ qps: 500, burst: 1000 });

/** A token bucket with an injectable clock. */
export class TokenBucket {
  readonly #limit: RateLimit;
  readonly #clock: Clock;
  #tokens: number;
  #updatedAt: number;
  /** The tail of the queue of waiters: each waiter starts after the previous one got a token. */
  #queue: Promise<void> = Promise.resolve();

  constructor(limit: RateLimit, clock: Clock) {
    if (!(limit.qps > 0) || !(limit.burst >= 1)) {
      throw new Error(`a rate limit needs qps > 0 and burst >= 1, got ${limit.qps}/${limit.burst}`);
    }
    this.#limit = limit;
    this.#clock = clock;
    this.#tokens = limit.burst;
    this.#updatedAt = clock.now();
  }

  /** Waits for a token and takes it; rejects when `signal` aborts first. */
  take(signal?: AbortSignal): Promise<void> {
    const turn = this.#queue.then(() => this.#takeNow(signal));
    // The next waiter starts once this one is done, whether it got a token or gave up.
    this.#queue = turn.catch(() => undefined);
    return turn;
  }

  /** Tokens available now (fractional while refilling). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  async #takeNow(signal?: AbortSignal): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      this.#refill();
      if (this.#tokens >= 1) {
        this.#tokens -= 1;
        return;
      }
      const waitMs = Math.ceil(((1 - this.#tokens) / this.#limit.qps) * 1000);
      await this.#clock.sleep(waitMs, signal);
    }
  }

  #refill(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#tokens = Math.min(this.#limit.burst, this.#tokens + elapsed * this.#limit.qps);
    this.#updatedAt = now;
  }
}
