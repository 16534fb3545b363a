// The rate-limit budget. Limits come from `exchangeInfo.rateLimits` (REQUEST_WEIGHT,
// ORDERS, RAW_REQUESTS × SECOND/MINUTE/HOUR/DAY × intervalNum); usage is counted locally
// on every send and corrected upward from Binance's own answers: the REST headers
// `X-MBX-USED-WEIGHT-(n)(unit)` and `X-MBX-ORDER-COUNT-(n)(unit)` and the WS API's
// `rateLimits` array (rest-api.md "LIMITS", web-socket-api.md "Rate limits").
// Intervals are fixed windows aligned to the clock (a 1 MINUTE window starts every
// minute, 10 SECOND at :00, :10, …, 1 DAY at 00:00 UTC — web-socket-api.md "How to
// interpret rate limits").
//
// Each caller names a priority. A priority may only use a fraction of every limit
// (its headroom), so as a window fills up deep levels and small moves wait first, then
// normal requotes, then top-of-book requotes, and cancels keep the last slice. No
// priority may pass the limit itself, so the process never earns a 429; and after a
// 429/418 nothing at all is sent until Retry-After has passed.

export type RateLimitType = 'REQUEST_WEIGHT' | 'ORDERS' | 'RAW_REQUESTS';
export type RateInterval = 'SECOND' | 'MINUTE' | 'HOUR' | 'DAY';

export interface RateLimitDef {
  readonly rateLimitType: RateLimitType;
  readonly interval: RateInterval;
  readonly intervalNum: number;
  readonly limit: number;
}

/** Lower number = more valuable. */
export const Priority = { CANCEL: 0, TOP_REQUOTE: 1, NORMAL: 2, DEEP: 3 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

const UNIT_MS: Record<RateInterval, number> = { SECOND: 1000, MINUTE: 60_000, HOUR: 3_600_000, DAY: 86_400_000 };
const LETTER: Record<string, RateInterval> = { S: 'SECOND', M: 'MINUTE', H: 'HOUR', D: 'DAY' };

/** Spot's documented example limits (rest-api.md), used until exchangeInfo is read. */
export const DEFAULT_SPOT_LIMITS: readonly RateLimitDef[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
  { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160_000 },
  { rateLimitType: 'RAW_REQUESTS', interval: 'MINUTE', intervalNum: 5, limit: 61_000 },
];

/** USD-M's example limits (USDⓈ-M "Exchange Information" example), used until exchangeInfo is read. */
export const DEFAULT_USDM_LIMITS: readonly RateLimitDef[] = [
  { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 2400 },
  { rateLimitType: 'ORDERS', interval: 'MINUTE', intervalNum: 1, limit: 1200 },
  { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 300 },
];

class Window {
  readonly windowMs: number;
  start = 0;
  used = 0;
  constructor(readonly def: RateLimitDef) { this.windowMs = def.intervalNum * UNIT_MS[def.interval]; }
  roll(now: number): void {
    const s = now - (now % this.windowMs);
    if (s !== this.start) { this.start = s; this.used = 0; }
  }
  key(): string { return windowKey(this.def.rateLimitType, this.def.interval, this.def.intervalNum); }
}

function windowKey(t: RateLimitType, i: RateInterval, n: number): string { return `${t}:${n}${i}`; }

export interface BudgetOptions {
  limits?: readonly RateLimitDef[];
  /** Server time in ms (ServerClock.serverNowMs), so windows align with Binance's. */
  now?: () => number;
  /** Share of each limit a priority may use, index = priority. Default [0.95, 0.85, 0.7, 0.5]. */
  headroom?: readonly number[];
  /** Block after a 429 with no Retry-After header, ms. */
  defaultBackoffMs?: number;
  /** Told each time a 429/418 blocks sending, or blocks it for longer: the HTTP status and the block's length, ms. */
  onBlocked?: (status: number, blockMs: number) => void;
}

export interface BudgetCounters {
  allowed: number;
  /** Refused because the priority's headroom was used up, per priority. */
  deferred: number[];
  /** Refused because of a 429/418 block. */
  blocked: number;
  http429: number;
  http418: number;
  /** Times Binance reported more usage than we had counted. */
  corrected: number;
}

export class RateBudget {
  private windows: Window[] = [];
  private readonly now: () => number;
  private readonly headroom: readonly number[];
  private readonly defaultBackoffMs: number;
  private readonly onBlocked: ((status: number, blockMs: number) => void) | undefined;
  /** The HTTP status of the current (or last) block. */
  private blockStatus = 0;
  private blockedUntil = 0;
  private banned = false;
  readonly counters: BudgetCounters = { allowed: 0, deferred: [0, 0, 0, 0], blocked: 0, http429: 0, http418: 0, corrected: 0 };

  constructor(opts: BudgetOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.headroom = opts.headroom ?? [0.95, 0.85, 0.7, 0.5];
    for (const h of this.headroom) if (!(h > 0 && h <= 1)) throw new RangeError('headroom shares must be in (0, 1]');
    this.defaultBackoffMs = opts.defaultBackoffMs ?? 60_000;
    this.onBlocked = opts.onBlocked;
    this.setLimits(opts.limits ?? DEFAULT_SPOT_LIMITS);
  }

  /** Replaces the limits (from exchangeInfo.rateLimits); usage already counted is kept. */
  setLimits(limits: readonly RateLimitDef[]): void {
    const old = new Map(this.windows.map((w) => [w.key(), w]));
    this.windows = [];
    for (const d of limits) {
      if (!(d.limit > 0) || !(d.intervalNum > 0) || UNIT_MS[d.interval] === undefined) continue;
      const w = new Window({ rateLimitType: d.rateLimitType, interval: d.interval, intervalNum: d.intervalNum, limit: d.limit });
      const prev = old.get(w.key());
      if (prev !== undefined) { w.start = prev.start; w.used = prev.used; }
      this.windows.push(w);
    }
  }

  limits(): RateLimitDef[] { return this.windows.map((w) => w.def); }

  /** Until when (server ms) nothing may be sent; 0 when not blocked. */
  get blockedUntilMs(): number { return this.now() < this.blockedUntil ? this.blockedUntil : 0; }
  get isBanned(): boolean { return this.banned && this.now() < this.blockedUntil; }

  private cost(w: Window, weight: number, orders: number): number {
    const t = w.def.rateLimitType;
    return t === 'REQUEST_WEIGHT' ? weight : t === 'ORDERS' ? orders : 1;
  }

  private fits(weight: number, orders: number, priority: Priority): boolean {
    const share = this.headroom[priority] ?? this.headroom[this.headroom.length - 1]!;
    const now = this.now();
    for (const w of this.windows) {
      w.roll(now);
      const c = this.cost(w, weight, orders);
      if (c === 0) continue;
      // never past the limit itself, whatever the share
      const cap = Math.min(w.def.limit, Math.floor(w.def.limit * share));
      if (w.used + c > cap) return false;
    }
    return true;
  }

  /** "May I send this now?" without spending anything. */
  mayISend(weight: number, orders: number, priority: Priority): boolean {
    if (this.now() < this.blockedUntil) return false;
    return this.fits(weight, orders, priority);
  }

  /** Spends the budget for a request about to be sent; false (and nothing spent) when it must wait. */
  tryAcquire(weight: number, orders: number, priority: Priority): boolean {
    if (this.now() < this.blockedUntil) { this.counters.blocked++; return false; }
    if (!this.fits(weight, orders, priority)) { this.counters.deferred[priority] = (this.counters.deferred[priority] ?? 0) + 1; return false; }
    for (const w of this.windows) w.used += this.cost(w, weight, orders);
    this.counters.allowed++;
    return true;
  }

  /** Ms until a request of this size and priority could pass (0 = now), assuming no other sends. */
  waitMs(weight: number, orders: number, priority: Priority): number {
    const now = this.now();
    if (now < this.blockedUntil) return this.blockedUntil - now;
    const share = this.headroom[priority] ?? this.headroom[this.headroom.length - 1]!;
    let wait = 0;
    for (const w of this.windows) {
      w.roll(now);
      const c = this.cost(w, weight, orders);
      if (c === 0) continue;
      const cap = Math.min(w.def.limit, Math.floor(w.def.limit * share));
      if (w.used + c > cap) wait = Math.max(wait, w.start + w.windowMs - now);
    }
    return wait;
  }

  /** Usage Binance reports for one window; only ever raises our count (requests in flight are ours already). */
  observe(type: RateLimitType, interval: RateInterval, intervalNum: number, count: number, limit?: number): void {
    if (!Number.isFinite(count) || count < 0) return;
    const key = windowKey(type, interval, intervalNum);
    let w = this.windows.find((x) => x.key() === key);
    if (w === undefined) {
      if (limit === undefined || !(limit > 0)) return; // a window we were never told the limit of
      w = new Window({ rateLimitType: type, interval, intervalNum, limit });
      this.windows.push(w);
    } else if (limit !== undefined && limit > 0 && limit !== w.def.limit) {
      const nw = new Window({ rateLimitType: type, interval, intervalNum, limit });
      nw.start = w.start; nw.used = w.used;
      this.windows[this.windows.indexOf(w)] = nw;
      w = nw;
    }
    w.roll(this.now());
    if (count > w.used) { w.used = count; this.counters.corrected++; }
  }

  /** REST answer headers: X-MBX-USED-WEIGHT-1M, X-MBX-ORDER-COUNT-10S, X-MBX-ORDER-COUNT-1D, … */
  observeHeaders(headers: { forEach(cb: (value: string, key: string) => void): void }): void {
    headers.forEach((value, key) => {
      const m = /^x-mbx-(used-weight|order-count)-(\d+)([smhd])$/i.exec(key);
      if (m === null) return;
      const interval = LETTER[m[3]!.toUpperCase()];
      if (interval === undefined) return;
      this.observe(m[1]!.toLowerCase() === 'used-weight' ? 'REQUEST_WEIGHT' : 'ORDERS', interval, Number(m[2]), Number(value));
    });
  }

  /** WS API `rateLimits` array of an answer (carries limit and count). */
  observeRateLimits(arr: unknown): void {
    if (!Array.isArray(arr)) return;
    for (const r of arr as Array<Record<string, unknown>>) {
      const t = r?.['rateLimitType'];
      const i = r?.['interval'];
      if ((t !== 'REQUEST_WEIGHT' && t !== 'ORDERS' && t !== 'RAW_REQUESTS') || typeof i !== 'string' || !(i in UNIT_MS)) continue;
      this.observe(t, i as RateInterval, Number(r['intervalNum']), Number(r['count']), Number(r['limit']));
    }
  }

  /** A 429 (or -1003/-1015) or 418: stop every send until Retry-After has passed. */
  onRateLimited(status: number, retryAfterMs: number): void {
    if (status === 418) { this.counters.http418++; this.banned = true; } else this.counters.http429++;
    const ms = retryAfterMs > 0 ? retryAfterMs : this.defaultBackoffMs;
    const now = this.now();
    const was = this.blockedUntil;
    if (now + ms <= was) return; // already blocked at least that long (answers to requests sent together)
    this.blockedUntil = now + ms;
    // the same block told by another answer: Retry-After is in whole seconds, so answers a few
    // ms apart end it a few ms later; said once (a ban during a 429, or a longer block, is new)
    const same = now < was && status === this.blockStatus && now + ms - was < 1000;
    this.blockStatus = status;
    if (!same) this.onBlocked?.(status, ms);
  }

  /** Current usage per window, for metrics. */
  usage(): Array<{ key: string; used: number; limit: number }> {
    const now = this.now();
    return this.windows.map((w) => { w.roll(now); return { key: w.key(), used: w.used, limit: w.def.limit }; });
  }
}
