// Per-client request limit: a token bucket per key (the client's remote address),
// `ratePerSecond` tokens per second up to `burst`, starting full; each request
// spends one. Memory is bounded: a client idle long enough to have refilled its
// bucket holds no state (it is evicted by a sweep, and would start full anyway),
// and the table never holds more than maxClients keys — a new key beyond the cap
// evicts the least recently seen one (Map insertion order, refreshed on each use).
// Eviction never lets a limited client through faster than its rate allows while
// it is being limited, except under the cap pressure of maxClients distinct
// addresses, where the oldest entry goes.
import { SpreadcoreError } from '../errors.js';

export interface RateLimitOptions {
  /** Sustained requests per second per client. */
  ratePerSecond: number;
  /** Requests a client may make at once. */
  burst: number;
  /** Largest number of clients tracked. Default 10,000. */
  maxClients?: number;
}

export interface RateLimitCounters {
  allowed: number;
  limited: number;
  evicted: number;
}

interface Bucket { tokens: number; lastMs: number }

export const MAX_RATE_PER_SECOND = 1_000_000;

export function checkRateLimitOptions(o: RateLimitOptions, what = 'rate limit'): void {
  if (!(Number.isFinite(o.ratePerSecond) && o.ratePerSecond > 0 && o.ratePerSecond <= MAX_RATE_PER_SECOND)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}: requests per second must be a number in (0, ${MAX_RATE_PER_SECOND}], got ${o.ratePerSecond}`);
  }
  if (!(Number.isInteger(o.burst) && o.burst >= 1 && o.burst <= MAX_RATE_PER_SECOND)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}: burst must be an integer in 1..${MAX_RATE_PER_SECOND}, got ${o.burst}`);
  }
  const cap = o.maxClients ?? 10_000;
  if (!(Number.isInteger(cap) && cap >= 1)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${what}: maxClients must be a positive integer, got ${cap}`);
}

export class RateLimiter {
  readonly ratePerSecond: number;
  readonly burst: number;
  readonly maxClients: number;
  readonly counters: RateLimitCounters = { allowed: 0, limited: 0, evicted: 0 };
  private readonly buckets = new Map<string, Bucket>();
  /** Time for an empty bucket to fill: an entry idle this long is the same as no entry. */
  private readonly fullAfterMs: number;
  private nextSweepMs = 0;

  constructor(options: RateLimitOptions) {
    checkRateLimitOptions(options);
    this.ratePerSecond = options.ratePerSecond;
    this.burst = options.burst;
    this.maxClients = options.maxClients ?? 10_000;
    this.fullAfterMs = (this.burst / this.ratePerSecond) * 1000;
  }

  /** Clients currently tracked. */
  get size(): number { return this.buckets.size; }

  /**
   * Spends one token of `key` at nowMs. Returns 0 when the request may go ahead, or
   * the whole seconds (>= 1) until the client has a token again.
   */
  take(key: string, nowMs: number): number {
    if (nowMs >= this.nextSweepMs) this.sweep(nowMs);
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxClients) this.evictOldest();
      b = { tokens: this.burst, lastMs: nowMs };
    } else {
      this.buckets.delete(key); // re-inserted below: the Map's order is least recently seen first
      if (nowMs > b.lastMs) {
        b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.lastMs) / 1000) * this.ratePerSecond);
        b.lastMs = nowMs;
      }
    }
    this.buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      this.counters.allowed++;
      return 0;
    }
    this.counters.limited++;
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSecond));
  }

  /** Drops clients whose bucket has refilled (idle long enough); runs at most once a second. */
  sweep(nowMs: number): void {
    this.nextSweepMs = nowMs + 1000;
    for (const [k, b] of this.buckets) {
      if (nowMs - b.lastMs < this.fullAfterMs) break; // the rest were seen more recently
      this.buckets.delete(k);
      this.counters.evicted++;
    }
  }

  private evictOldest(): void {
    for (const k of this.buckets.keys()) {
      this.buckets.delete(k);
      this.counters.evicted++;
      return;
    }
  }
}
