// The request budget for Polymarket's trading limits: per-signer token buckets, one for
// orders (POST /order costs 1, POST /orders costs the batch size) and one for cancels
// (DELETE /order 1, DELETE /orders the ids sent, DELETE /cancel-all 1 + what it cancelled),
// refilled continuously at the tier's rate up to its burst (docs.polymarket.com
// api-reference/trading-rate-limits). A 429 carries Retry-After; answers carry
// Poly-RateLimit-Remaining, which corrects our count downward.
//
// The tier's numbers are read from GET /v1/user/rate-limit-tier or headers in a live
// deployment; until then the defaults are the Cloudflare per-IP limits of the trading
// endpoints (docs.polymarket.com api-reference/rate-limits: POST /order 3,500 / 10 s burst
// and 36,000 / 10 min sustained; DELETE /order 3,000 / 10 s and 30,000 / 10 min) — as a
// bucket, burst 3,500 refilled at 60/s, and 3,000 at 50/s.
//
// Priorities as in the Binance budget: a priority may spend a bucket only down to its
// floor (a share of the burst kept for more valuable requests), so as the bucket drains
// deep quotes wait first and cancels keep the last slice. No request is sent that the
// bucket cannot pay for, so the process never earns a 429.

export const Priority = { CANCEL: 0, TOP_REQUOTE: 1, NORMAL: 2, DEEP: 3 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

export interface BucketSpec { readonly ratePerSec: number; readonly burst: number }

export const DEFAULT_ORDER_BUCKET: BucketSpec = { ratePerSec: 60, burst: 3500 };
export const DEFAULT_CANCEL_BUCKET: BucketSpec = { ratePerSec: 50, burst: 3000 };

/** Share of the burst each priority must leave in the bucket (index = priority). */
const DEFAULT_FLOORS = [0, 0.1, 0.25, 0.5] as const;

export class TokenBucket {
  private tokens: number;
  private lastMs: number;
  constructor(public spec: BucketSpec, private readonly now: () => number) {
    this.tokens = spec.burst;
    this.lastMs = now();
  }
  level(): number {
    const t = this.now();
    if (t > this.lastMs) {
      this.tokens = Math.min(this.spec.burst, this.tokens + ((t - this.lastMs) / 1000) * this.spec.ratePerSec);
      this.lastMs = t;
    }
    return this.tokens;
  }
  /** Takes `cost` tokens if at least `floor` remain afterwards. */
  take(cost: number, floor = 0): boolean {
    if (this.level() - cost < floor) return false;
    this.tokens -= cost;
    return true;
  }
  /** Charges more afterwards (cancel-all's per-order cost); may go below zero. */
  charge(cost: number): void { this.level(); this.tokens -= cost; }
  /** The venue said how many remain: never believe we have more. */
  correct(remaining: number): void { if (Number.isFinite(remaining) && remaining < this.level()) this.tokens = remaining; }
  /** Seconds until `cost` tokens are there. */
  waitSec(cost: number): number { const l = this.level(); return l >= cost ? 0 : (cost - l) / this.spec.ratePerSec; }
}

export interface RateBudgetCounters { allowed: number; deferred: number[]; blocked: number; http429: number }

export class RateBudget {
  readonly orders: TokenBucket;
  readonly cancels: TokenBucket;
  readonly counters: RateBudgetCounters = { allowed: 0, deferred: [0, 0, 0, 0], blocked: 0, http429: 0 };
  private blockedUntilMs = 0;

  constructor(opts: { orders?: BucketSpec; cancels?: BucketSpec; now?: () => number } = {}, private readonly floors: readonly number[] = DEFAULT_FLOORS) {
    const now = opts.now ?? Date.now;
    this.now = now;
    this.orders = new TokenBucket(opts.orders ?? DEFAULT_ORDER_BUCKET, now);
    this.cancels = new TokenBucket(opts.cancels ?? DEFAULT_CANCEL_BUCKET, now);
  }
  private readonly now: () => number;

  /** Spends `cost` of a bucket for a request of a priority; false = do not send now. */
  tryTake(bucket: 'orders' | 'cancels', cost: number, priority: Priority): boolean {
    if (this.now() < this.blockedUntilMs) { this.counters.blocked++; return false; }
    const b = this[bucket];
    if (!b.take(cost, (this.floors[priority] ?? 0) * b.spec.burst)) { this.counters.deferred[priority]!++; return false; }
    this.counters.allowed++;
    return true;
  }

  /** Reads an answer's headers: Poly-RateLimit-Remaining corrects the bucket; a 429 blocks for Retry-After. */
  observe(bucket: 'orders' | 'cancels' | null, status: number, headers: Headers): void {
    const rem = headers.get('poly-ratelimit-remaining');
    if (bucket !== null && rem !== null) this[bucket].correct(Number(rem));
    if (status === 429) {
      this.counters.http429++;
      const ra = Number(headers.get('retry-after') ?? '1');
      this.blockedUntilMs = this.now() + (Number.isFinite(ra) && ra > 0 ? ra : 1) * 1000;
    }
  }

  blockedForMs(): number { return Math.max(0, this.blockedUntilMs - this.now()); }
}
