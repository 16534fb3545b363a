// Request weight and order counts, as Binance accounts them (rest-api.md LIMITS,
// web-socket-api.md Rate limits): fixed windows that start on interval boundaries
// (a 1-minute window at each whole minute, 10 s at :00, :10, …, a day at 00:00
// UTC). Weight is counted per client IP, orders for the account. Over the weight
// limit a request gets 429 (-1003) with Retry-After (seconds to the window's end);
// a client that keeps sending after `banAfter429s` refusals in a window is banned:
// 418 (-1003 "…IP banned until …") until the ban ends. Over an ORDERS limit an
// order gets 429 (-1015).
import { ReplicaError } from './replica-error.js';

export type RateLimitType = 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
export type Interval = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';

export interface RateLimitDef {
  readonly rateLimitType: RateLimitType;
  readonly interval: Interval;
  readonly intervalNum: number;
  readonly limit: number;
}

const MS: Record<Interval, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const LETTER: Record<Interval, string> = { SECOND: 'S', MINUTE: 'M', HOUR: 'H', DAY: 'D' };

export const SPOT_RATE_LIMITS: readonly RateLimitDef[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61000 },
];

export const FUTURES_RATE_LIMITS: readonly RateLimitDef[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
  { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
];

interface Window { start: number; count: number }

class Counter {
  readonly def: RateLimitDef;
  readonly lenMs: number;
  private readonly byKey = new Map<string, Window>();
  constructor(def: RateLimitDef) { this.def = def; this.lenMs = MS[def.interval] * def.intervalNum; }
  private win(key: string, now: number): Window {
    const start = Math.floor(now / this.lenMs) * this.lenMs;
    let w = this.byKey.get(key);
    if (w === undefined || w.start !== start) { w = { start, count: 0 }; this.byKey.set(key, w); }
    return w;
  }
  count(key: string, now: number): number { return this.win(key, now).count; }
  add(key: string, now: number, n: number): number { const w = this.win(key, now); w.count += n; return w.count; }
  retryAfterS(now: number): number { return Math.max(1, Math.ceil(((Math.floor(now / this.lenMs) + 1) * this.lenMs - now) / 1000)); }
  header(prefix: string): string { return `${prefix}-${this.def.intervalNum}${LETTER[this.def.interval]}`; }
  json(key: string, now: number): Record<string, unknown> { return { ...this.def, count: this.count(key, now) }; }
}

export interface RateLimiterOptions {
  readonly limits: readonly RateLimitDef[];
  /** 429 answers in one window before the next over-limit request is banned (418). Default 2. */
  readonly banAfter429s?: number;
  /** Ban length. Default 120,000 ms (Binance: "from 2 minutes to 3 days"). */
  readonly banMs?: number;
}

const ACCOUNT = 'account';

export class RateLimiter {
  readonly limits: readonly RateLimitDef[];
  private readonly weight: Counter[];
  private readonly orders: Counter[];
  private readonly raw: Counter[];
  private readonly banAfter: number;
  private readonly banMs: number;
  private readonly refusals = new Map<string, { windowStart: number; n: number }>();
  private readonly bans = new Map<string, number>();
  /** Refusals the limits themselves gave (not injected faults): 429s, and 418 bans a client earned by sending on after them. */
  readonly counters = { refused429: 0, bansEarned: 0 };

  constructor(o: RateLimiterOptions) {
    this.limits = o.limits;
    this.weight = o.limits.filter((d) => d.rateLimitType === 'REQUEST_WEIGHT').map((d) => new Counter(d));
    this.orders = o.limits.filter((d) => d.rateLimitType === 'ORDERS').map((d) => new Counter(d));
    this.raw = o.limits.filter((d) => d.rateLimitType === 'RAW_REQUESTS').map((d) => new Counter(d));
    this.banAfter = o.banAfter429s ?? 2;
    this.banMs = o.banMs ?? 120_000;
  }

  /** Bans ip until now + ms (fault injection). */
  ban(ip: string, now: number, ms: number): void { this.bans.set(ip, now + ms); }

  /** The end of a ban of ip (or of every client, key '*'), or null. */
  bannedUntil(ip: string, now: number): number | null {
    let end: number | null = null;
    for (const k of [ip, '*']) {
      const until = this.bans.get(k);
      if (until === undefined) continue;
      if (until <= now) this.bans.delete(k);
      else end = Math.max(end ?? 0, until);
    }
    return end;
  }

  /** Counts a request of `weight`; throws 418 / 429 when it must be refused. */
  request(ip: string, weight: number, now: number): void {
    const until = this.bannedUntil(ip, now);
    if (until !== null) throw banned(until, now);
    for (const c of this.raw) c.add(ip, now, 1);
    for (const c of this.weight) {
      const n = c.add(ip, now, weight);
      if (n <= c.def.limit) continue;
      const start = Math.floor(now / c.lenMs) * c.lenMs;
      let r = this.refusals.get(ip);
      if (r === undefined || r.windowStart !== start) { r = { windowStart: start, n: 0 }; this.refusals.set(ip, r); }
      if (r.n >= this.banAfter) {
        const end = now + this.banMs;
        this.bans.set(ip, end);
        this.counters.bansEarned++;
        throw banned(end, now);
      }
      r.n++;
      this.counters.refused429++;
      throw new ReplicaError(429, -1003, `Too much request weight used; current limit is ${c.def.limit} request weight per ${c.def.intervalNum} ${c.def.interval}. Please use WebSocket Streams for live updates to avoid polling the API.`,
        undefined, c.retryAfterS(now));
    }
  }

  /** Counts a new order; throws 429 (-1015) over an ORDERS limit. */
  order(now: number): void {
    for (const c of this.orders) {
      if (c.count(ACCOUNT, now) + 1 > c.def.limit) {
        this.counters.refused429++;
        throw new ReplicaError(429, -1015, `Too many new orders; current limit is ${c.def.limit} orders per ${c.def.intervalNum} ${c.def.interval}.`, undefined, c.retryAfterS(now));
      }
    }
    for (const c of this.orders) c.add(ACCOUNT, now, 1);
  }

  headers(ip: string, now: number, withOrders: boolean): Record<string, string> {
    const h: Record<string, string> = {};
    for (const c of this.weight) h[c.header('X-MBX-USED-WEIGHT')] = String(c.count(ip, now));
    if (withOrders) for (const c of this.orders) h[c.header('X-MBX-ORDER-COUNT')] = String(c.count(ACCOUNT, now));
    return h;
  }

  /** An order's first fill gives back `n` from every ORDERS count (never below 0): faqs/order_count_decrement.md. */
  orderFilled(now: number, n: number): void {
    for (const c of this.orders) c.add(ACCOUNT, now, -Math.min(n, c.count(ACCOUNT, now)));
  }

  /** The ORDERS counters (GET /api/v3/rateLimit/order, account.rateLimits.orders). */
  orderCounts(now: number): Record<string, unknown>[] { return this.orders.map((c) => c.json(ACCOUNT, now)); }

  /** The WS API's `rateLimits` array. */
  json(ip: string, now: number, withOrders: boolean): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    if (withOrders) for (const c of this.orders) out.push(c.json(ACCOUNT, now));
    for (const c of this.weight) out.push(c.json(ip, now));
    return out;
  }
}

export function banned(until: number, now: number): ReplicaError {
  return new ReplicaError(418, -1003, `Way too much request weight used; IP banned until ${until}. Please use WebSocket Streams for live updates to avoid bans.`,
    { serverTime: now, retryAfter: until }, Math.max(1, Math.ceil((until - now) / 1000)));
}
