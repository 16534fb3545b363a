// Kalshi's rate limits as two token buckets, read and write (docs.kalshi.com
// getting_started/rate_limits; docs/kalshi.md "Rate limits"): Basic 20 read / 10 write
// default-cost requests per second, Advanced 30/30, Premier 100/100, Prime 400/400 (the
// spec's token form: 200/100 tokens per second at 10 tokens a request). Only order
// mutations count as writes; in a batch each item counts, a cancel (and GetOrder) costs 0.2
// of a default request (2 tokens).
//
// A bucket refills continuously at `perSecond` and holds the tier's burst (1 s Basic, 2 s above). Each
// priority may only spend down to its floor (a share of the bucket kept for more valuable
// requests), so deep quote levels wait first and cancels keep the last slice; nothing is
// sent that the bucket cannot pay for, so the process never earns a 429. After a 429 anyway
// (another process sharing the key), nothing is sent until the back-off has passed.
// Binance's budget (src/venues/binance/rate-budget.ts) counts fixed windows of weights
// read from exchangeInfo: a different model, so it is not reused here.

export type KalshiTier = 'basic' | 'advanced' | 'expert' | 'premier' | 'paragon' | 'prime' | 'prestige';

/** Default-cost requests per second (tokens per second / 10) and the burst, seconds of refill the bucket holds. */
export const KALSHI_TIERS: Readonly<Record<KalshiTier, { read: number; write: number; burstS: number }>> = Object.freeze({
  basic: { read: 20, write: 10, burstS: 1 }, advanced: { read: 30, write: 30, burstS: 2 }, expert: { read: 60, write: 60, burstS: 2 },
  premier: { read: 100, write: 100, burstS: 2 }, paragon: { read: 200, write: 200, burstS: 2 }, prime: { read: 400, write: 400, burstS: 2 },
  prestige: { read: 600, write: 800, burstS: 2 },
});

/** Lower = more valuable (same order as the Binance budget's priorities). */
export const KalshiPriority = { CANCEL: 0, TOP_REQUOTE: 1, NORMAL: 2, DEEP: 3 } as const;
export type KalshiPriority = (typeof KalshiPriority)[keyof typeof KalshiPriority];

export type BucketName = 'read' | 'write';

class Bucket {
  tokens: number;
  last: number;
  readonly capacity: number;
  constructor(public perSecond: number, burstS: number, now: number) { this.capacity = perSecond * burstS; this.tokens = this.capacity; this.last = now; }
  refill(now: number): void {
    if (now > this.last) { this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.perSecond); this.last = now; }
  }
}

export interface KalshiBudgetOptions {
  tier?: KalshiTier;
  /** Explicit per-second limits (override the tier). */
  read?: number;
  write?: number;
  /** Seconds of refill a bucket holds (default the tier's). */
  burstS?: number;
  now?: () => number;
  /** Share of the bucket each priority may NOT touch, index = priority. Default [0, 0.1, 0.25, 0.5]. */
  floors?: readonly number[];
  /** Back-off after a 429, ms (default 1000). */
  backoffMs?: number;
}

export class KalshiRateBudget {
  private readonly now: () => number;
  private readonly buckets: Record<BucketName, Bucket>;
  private readonly floors: readonly number[];
  private readonly backoffMs: number;
  private blockedUntil = 0;
  readonly counters = { allowed: 0, deferred: [0, 0, 0, 0], blocked: 0, http429: 0 };

  constructor(o: KalshiBudgetOptions = {}) {
    this.now = o.now ?? Date.now;
    const t = KALSHI_TIERS[o.tier ?? 'basic'];
    const n = this.now();
    const burst = o.burstS ?? t.burstS;
    this.buckets = { read: new Bucket(o.read ?? t.read, burst, n), write: new Bucket(o.write ?? t.write, burst, n) };
    this.floors = o.floors ?? [0, 0.1, 0.25, 0.5];
    this.backoffMs = o.backoffMs ?? 1000;
  }

  /** Spends `cost` transactions from a bucket if the priority may; false = wait (nothing was spent). */
  tryTake(bucket: BucketName, cost = 1, priority: KalshiPriority = KalshiPriority.NORMAL): boolean {
    const now = this.now();
    if (now < this.blockedUntil) { this.counters.blocked++; return false; }
    const b = this.buckets[bucket];
    b.refill(now);
    const floor = (this.floors[priority] ?? 0) * b.capacity;
    if (b.tokens - cost < floor - 1e-9) { this.counters.deferred[priority] = (this.counters.deferred[priority] ?? 0) + 1; return false; }
    b.tokens -= cost;
    this.counters.allowed++;
    return true;
  }

  /** Milliseconds until `cost` could be taken at this priority (0 = now). */
  waitMs(bucket: BucketName, cost = 1, priority: KalshiPriority = KalshiPriority.NORMAL): number {
    const now = this.now();
    if (now < this.blockedUntil) return this.blockedUntil - now;
    const b = this.buckets[bucket];
    b.refill(now);
    const floor = (this.floors[priority] ?? 0) * b.capacity;
    const missing = floor + cost - b.tokens;
    return missing <= 0 ? 0 : Math.ceil((missing / b.perSecond) * 1000);
  }

  /** A 429 came back: stop sending for the back-off (or Retry-After seconds when given). */
  on429(retryAfterS?: number): void {
    this.counters.http429++;
    const ms = retryAfterS !== undefined && retryAfterS > 0 ? retryAfterS * 1000 : this.backoffMs;
    this.blockedUntil = Math.max(this.blockedUntil, this.now() + ms);
    for (const b of Object.values(this.buckets)) b.tokens = 0;
  }

  /** Current state for /metrics. */
  state(): { read: number; write: number; readPerSecond: number; writePerSecond: number; blockedMs: number } {
    const now = this.now();
    this.buckets.read.refill(now);
    this.buckets.write.refill(now);
    return {
      read: this.buckets.read.tokens, write: this.buckets.write.tokens, readPerSecond: this.buckets.read.perSecond,
      writePerSecond: this.buckets.write.perSecond, blockedMs: Math.max(0, this.blockedUntil - now),
    };
  }
}
