// GET /api/history: the last hours of each symbol's mid and of each strategy leg's
// quotes, position and P&L, one sample a second, so the dashboard's charts open with
// history instead of starting empty.
//
//  - HistoryRing: one shared time column and, per key (a symbol, or a strategy on a
//    symbol), a fixed number of Float64 columns, all of `capacity` slots. Storage is
//    allocated once per key; a sample writes numbers into those arrays (no object per
//    sample). The oldest slot is overwritten when the ring is full. A key that was not
//    written in a sample holds NaN there (a gap, answered as null).
//  - EngineHistory: a timer (unref'd, default 1 s) that reads the engine once per
//    interval — each symbol's mid from its book, each strategy leg's best bid and ask
//    from its quotes, position and P&L from the engine's latest `pnl` event — and
//    writes one sample stamped with the engine's clock (the clock of the events, so
//    the page joins history and live events on one axis). Nothing runs on the
//    engine's batch path: the `pnl` listener stores four numbers.
//  - Bounds: capacity (default 4 h of 1 s samples), at most maxSymbols symbol keys and
//    maxLegs leg keys; a leg whose strategy is deleted and a symbol the market no longer
//    lists are dropped at the next sample.
import type { TradingEngine } from '../engine/trading-engine.js';
import { midPriceOnGrid } from '../engine/engine-views.js';
import { SpreadcoreError } from '../errors.js';
import { HttpError } from './http-errors.js';
import { intParam, symbolParam } from './http-query.js';
import type { Route, RouteAnswer, RouteContext } from './routes-api.js';

/** The columns of a strategy leg's series, in storage order. */
export const LEG_COLUMNS = ['bid', 'ask', 'position', 'realized_pnl', 'unrealized_pnl', 'total_pnl'] as const;
/** The columns of a symbol's series. */
export const SYMBOL_COLUMNS = ['mid'] as const;

/** Most points one answer may hold (seconds / step). */
export const HISTORY_MAX_POINTS = 20_000;

export interface HistoryRead {
  /** Sample times, ms (the engine's clock), oldest first. */
  t: number[];
  /** One array per column, aligned with t; null where the key had no value. */
  columns: (number | null)[][];
}

export class HistoryRing {
  readonly capacity: number;
  private readonly times: Float64Array;
  private readonly series = new Map<string, { width: number; data: Float64Array }>();
  /** Slot of the newest sample (-1: none yet). */
  private head = -1;
  private filled = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 2 || capacity > 1_000_000) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `history capacity must be an integer from 2 to 1000000, got ${capacity}`);
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  /** Samples held. */
  get size(): number { return this.filled; }
  /** Keys held. */
  get keys(): number { return this.series.size; }
  has(key: string): boolean { return this.series.has(key); }
  keyList(): string[] { return [...this.series.keys()]; }

  /** Starts a sample at tMs: the next slot (the oldest once full), every key NaN there until put(). */
  begin(tMs: number): void {
    this.head = (this.head + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
    this.times[this.head] = tMs;
    for (const s of this.series.values()) {
      const d = s.data;
      for (let c = 0, o = this.head; c < s.width; c++, o += this.capacity) d[o] = NaN;
    }
  }

  /** Writes column col of key in the current sample (the key's storage is allocated on first use). */
  put(key: string, width: number, col: number, value: number): void {
    if (this.head < 0) return;
    let s = this.series.get(key);
    if (s === undefined) {
      s = { width, data: new Float64Array(width * this.capacity).fill(NaN) };
      this.series.set(key, s);
    }
    if (col < 0 || col >= s.width) return;
    s.data[col * this.capacity + this.head] = value;
  }

  drop(key: string): void { this.series.delete(key); }

  /**
   * The samples of key at or after sinceMs, oldest first: every step-th sample counted
   * back from the newest (so the newest is always in), at most maxPoints of the newest.
   * An unknown key gives the times with all-null columns of `width`.
   */
  read(key: string, width: number, sinceMs: number, step = 1, maxPoints = HISTORY_MAX_POINTS): HistoryRead {
    const s = this.series.get(key);
    const w = s?.width ?? width;
    const idx: number[] = [];
    for (let k = 0; k < this.filled && idx.length < maxPoints; k += step) {
      const slot = (this.head - k + this.capacity * 2) % this.capacity;
      if (!(this.times[slot]! >= sinceMs)) break;
      idx.push(slot);
    }
    idx.reverse();
    const t = idx.map((i) => this.times[i]!);
    const columns: (number | null)[][] = [];
    for (let c = 0; c < w; c++) {
      if (s === undefined) { columns.push(idx.map(() => null)); continue; }
      const d = s.data;
      const off = c * this.capacity;
      columns.push(idx.map((i) => { const v = d[off + i]!; return v === v ? v : null; }));
    }
    return { t, columns };
  }

  /** Time of the newest and the oldest sample held (NaN when empty). */
  span(): { newest: number; oldest: number } {
    if (this.filled === 0) return { newest: NaN, oldest: NaN };
    return { newest: this.times[this.head]!, oldest: this.times[(this.head - this.filled + 1 + this.capacity) % this.capacity]! };
  }
}

export interface EngineHistoryOptions {
  /** Samples kept (default 14,400: 4 h at 1 s). */
  capacity?: number;
  /** Sampling interval, ms (default 1000). */
  intervalMs?: number;
  /** Most symbols kept (default 64). */
  maxSymbols?: number;
  /** Most strategy legs kept (default 32). */
  maxLegs?: number;
}

interface LegLatest { position: number; realized: number; unrealized: number; total: number }

const engineHistories = new WeakMap<TradingEngine, EngineHistory>();

/** The history kept for an engine, if one is running. */
export function historyOf(engine: TradingEngine): EngineHistory | undefined {
  return engineHistories.get(engine);
}

export function legKey(strategyId: string, symbol: string): string { return `${strategyId}\u0000${symbol}`; }

export class EngineHistory {
  readonly engine: TradingEngine;
  readonly ring: HistoryRing;
  readonly intervalMs: number;
  readonly maxSymbols: number;
  readonly maxLegs: number;
  /** Samples taken, and sample errors (a read that threw; never thrown into the timer). */
  samples = 0;
  errors = 0;
  private readonly latest = new Map<string, LegLatest>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private off: (() => void) | null = null;

  constructor(engine: TradingEngine, options: EngineHistoryOptions = {}) {
    this.engine = engine;
    this.ring = new HistoryRing(options.capacity ?? 4 * 3600);
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxSymbols = options.maxSymbols ?? 64;
    this.maxLegs = options.maxLegs ?? 32;
    if (!(this.intervalMs >= 10)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `history interval must be at least 10 ms, got ${this.intervalMs}`);
  }

  /** Listens to the engine's P&L and samples every interval; registers as the engine's history. */
  start(): this {
    if (this.timer !== null) return this;
    this.off = this.engine.events.on('pnl', (e) => {
      const k = legKey(e.strategy_id, e.symbol);
      let l = this.latest.get(k);
      if (l === undefined) {
        if (this.latest.size >= this.maxLegs * 2) return;
        l = { position: NaN, realized: NaN, unrealized: NaN, total: NaN };
        this.latest.set(k, l);
      }
      l.position = e.position; l.realized = e.realized_pnl; l.unrealized = e.unrealized_pnl; l.total = e.total_pnl;
    });
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
    engineHistories.set(this.engine, this);
    return this;
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.off?.();
    this.off = null;
    if (engineHistories.get(this.engine) === this) engineHistories.delete(this.engine);
  }

  /** One sample now (the timer's job; tests call it directly). */
  sample(tMs: number = Math.floor(this.engine.nowNs() / 1e6)): void {
    try {
      this.sampleAt(tMs);
      this.samples++;
    } catch {
      this.errors++;
    }
  }

  private sampleAt(tMs: number): void {
    const e = this.engine;
    const ring = this.ring;
    ring.begin(tMs);
    const books = e.ingest.books;
    const listed = new Set<string>();
    let symbols = 0;
    for (const st of e.ingest.symbols()) {
      listed.add(st.symbol);
      if (!ring.has(st.symbol) && symbols >= this.maxSymbols) continue;
      symbols++;
      const mid = midPriceOnGrid(st.instrument, books.bestBidTick(st.book), books.bestAskTick(st.book));
      ring.put(st.symbol, SYMBOL_COLUMNS.length, 0, mid ?? NaN);
    }
    const legs = new Set<string>();
    for (const s of e.list()) {
      if (s.error !== undefined && s.error.code === 'SPREADCORE_ERR_STRATEGY_INVALID') continue;
      let list;
      try { list = e.legs(s.strategy_id); } catch { continue; }
      const active = s.status === 'running' || s.status === 'paused';
      for (const leg of list) {
        const k = legKey(s.strategy_id, leg.symbol);
        if (!ring.has(k) && legs.size >= this.maxLegs) continue;
        legs.add(k);
        let bid = NaN;
        let ask = NaN;
        if (active) {
          const q = e.quotes(s.strategy_id, leg.symbol);
          bid = q.quotes.bids[0]?.price ?? NaN;
          ask = q.quotes.asks[0]?.price ?? NaN;
        }
        const w = LEG_COLUMNS.length;
        ring.put(k, w, 0, bid);
        ring.put(k, w, 1, ask);
        const l = this.latest.get(k);
        if (l !== undefined) {
          ring.put(k, w, 2, l.position);
          ring.put(k, w, 3, l.realized);
          ring.put(k, w, 4, l.unrealized);
          ring.put(k, w, 5, l.total);
        } else {
          ring.put(k, w, 2, leg.ledger !== undefined ? Number(leg.ledger.position.toFixed()) : NaN);
        }
      }
    }
    // keys of deleted strategies and of symbols the market no longer lists
    for (const k of ring.keyList()) {
      const sep = k.indexOf('\u0000');
      if (sep < 0 ? !listed.has(k) : !legs.has(k)) { ring.drop(k); if (sep >= 0) this.latest.delete(k); }
    }
  }
}

// ---- the route ---------------------------------------------------------------------------------

/** GET /api/history?symbol=&strategy_id=&seconds=&step= (docs/api.md). */
export function historyView(engine: TradingEngine, q: URLSearchParams): Record<string, unknown> {
  const symbol = symbolParam(q, 'symbol', true)!;
  const strategyId = q.get('strategy_id');
  if (strategyId !== null && !/^[A-Za-z0-9_.-]{1,64}$/.test(strategyId)) {
    throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `strategy_id must be a strategy id (letters, digits, _ . -, up to 64), got ${JSON.stringify(strategyId.slice(0, 32))}`);
  }
  for (const name of q.keys()) {
    if (!['symbol', 'strategy_id', 'seconds', 'step'].includes(name)) throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `unknown query parameter ${JSON.stringify(name.slice(0, 32))} (symbol, strategy_id, seconds, step)`);
  }
  const h = historyOf(engine);
  if (h === undefined) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', 'this server keeps no history');
  const seconds = intParam(q, 'seconds', 3600, 1, Math.ceil(h.ring.capacity * h.intervalMs / 1000));
  const step = intParam(q, 'step', 1, 1, 86_400);
  if (Math.ceil(seconds * 1000 / h.intervalMs / step) > HISTORY_MAX_POINTS) {
    throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `seconds / step may ask for at most ${HISTORY_MAX_POINTS} points, got ${seconds} / ${step}: raise step`);
  }
  if (engine.ingest.bySymbolName(symbol) === undefined && !h.ring.has(symbol)) {
    throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `the market has no symbol ${JSON.stringify(symbol)}`);
  }
  if (strategyId !== null) {
    let legs;
    try { legs = engine.legs(strategyId); } catch { throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `no strategy ${JSON.stringify(strategyId)}`); }
    if (!legs.some((l) => l.symbol === symbol)) throw new HttpError(404, 'SPREADCORE_ERR_NOT_FOUND', `strategy ${strategyId} does not trade ${symbol}`);
  }
  const span = h.ring.span();
  const since = (Number.isNaN(span.newest) ? 0 : span.newest) - seconds * 1000;
  const stepSamples = Math.max(1, Math.round(step * 1000 / h.intervalMs));
  const sym = h.ring.read(symbol, SYMBOL_COLUMNS.length, since, stepSamples);
  const out: Record<string, unknown> = {
    ok: true, symbol, strategy_id: strategyId, interval_ms: h.intervalMs * stepSamples, capacity_seconds: Math.round(h.ring.capacity * h.intervalMs / 1000),
    oldest: Number.isNaN(span.oldest) ? null : span.oldest, points: sym.t.length, t: sym.t, mid: sym.columns[0],
  };
  if (strategyId !== null) {
    const leg = h.ring.read(legKey(strategyId, symbol), LEG_COLUMNS.length, since, stepSamples);
    // the leg's key is written in the same samples as the symbol's: the same times
    LEG_COLUMNS.forEach((name, i) => { out[name] = alignTo(sym.t, leg.t, leg.columns[i]!); });
  }
  return out;
}

/** values at times `from`, placed at the matching times of `to` (null where absent). */
function alignTo(to: number[], from: number[], values: (number | null)[]): (number | null)[] {
  if (from.length === to.length) return values;
  const at = new Map<number, number | null>();
  from.forEach((t, i) => at.set(t, values[i]!));
  return to.map((t) => at.get(t) ?? null);
}

export const HISTORY_ROUTES: readonly Route[] = [
  { method: 'GET', pattern: '/api/history', handle: (ctx: RouteContext): RouteAnswer => ({ status: 200, body: historyView(ctx.engine, ctx.query) }) },
];
