// Property tests of the pre-trade gate (fast-check). Random parameter sets and
// random sequences of order intents, fills, cancels, market moves (including
// crossed, one-sided and stale books), market trades, P&L updates, manual state
// changes, limit changes and clock ticks. Only orders the gate allowed reach the
// "execution boundary", where an independent checker (a plain model written here,
// sharing no code with src/risk) verifies every hard limit; fills are simulated
// only for allowed orders. Properties:
//   - no order that breaks a limit passes the boundary;
//   - |position| never exceeds max_position, even in the worst case where every open
//     order fills in full (checked after every step, and by filling everything at the end);
//   - the gate's view of position and open orders is the checker's;
//   - denials for position, size, notional, band and self-cross are justified.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { validateParams } from '../src/strategy/params/index.js';
import type { OrderIntent } from '../src/trading/types.js';
import {
  RiskEngine, type RiskEvent, ALLOW, DENY_MAX_POSITION, DENY_MAX_ORDER_SIZE, DENY_MAX_NOTIONAL, DENY_PRICE_BAND, DENY_SELF_CROSS,
  reasonName,
} from '../src/risk/index.js';

const core = instantiateCore('debug');
const books = new WasmBooks(core);
const vol = new WasmVol(core);
const SYM = 'BTCUSDT';
const T0 = 1.7e18;
const MS = 1e6;
const MID0 = 5_000_000;
const LOT_TICK_PER_QUOTE = 1e5; // 1 quote unit = 100,000 lot·ticks at tick 0.01, lot 0.001

const paramSet = fc.record({
  maxPosLot: fc.integer({ min: 1, max: 40 }),
  maxOrderLot: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }),
  notional: fc.option(fc.integer({ min: 50, max: 3000 }), { nil: null }),
  bandBps: fc.integer({ min: 2, max: 1000 }),
  rate: fc.integer({ min: 1, max: 50 }),
  burst: fc.integer({ min: 1, max: 20 }),
  largeTradeLot: fc.option(fc.integer({ min: 5, max: 60 }), { nil: null }),
  cooldownMs: fc.integer({ min: 0, max: 5000 }),
  pauseOnVol: fc.boolean(),
  volThresholdBps: fc.integer({ min: 3, max: 200 }),
  volCooldownMs: fc.integer({ min: 0, max: 5000 }),
  maxQuoteAgeS: fc.integer({ min: 1, max: 30 }),
  stopLossBps: fc.option(fc.integer({ min: 10, max: 500 }), { nil: null }),
  dailyPct: fc.option(fc.integer({ min: 1, max: 10 }), { nil: null }),
  requoteTicks: fc.option(fc.integer({ min: 50, max: 5000 }), { nil: null }),
  spikeMultiple: fc.option(fc.integer({ min: 2, max: 5 }), { nil: null }),
});
type ParamSet = typeof paramSet extends fc.Arbitrary<infer T> ? T : never;

const dt = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 800 }) });
const command = fc.oneof(
  { weight: 12, arbitrary: fc.record({
    k: fc.constant('order' as const), buy: fc.boolean(), off: fc.integer({ min: -400, max: 400 }), far: fc.integer({ min: 0, max: 9 }),
    qty: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 45 }) }), market: fc.integer({ min: 0, max: 9 }), exit: fc.integer({ min: 0, max: 3 }), dtMs: dt,
    atOwn: fc.integer({ min: 0, max: 3 }), pick: fc.nat(), nudge: fc.integer({ min: -1, max: 1 }),
  }) },
  { weight: 3, arbitrary: fc.record({ k: fc.constant('fill' as const), pick: fc.nat(), partial: fc.boolean(), qty: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('cancel' as const), pick: fc.nat(), requestOnly: fc.boolean() }) },
  { weight: 3, arbitrary: fc.record({
    k: fc.constant('move' as const), dMid: fc.oneof({ weight: 5, arbitrary: fc.integer({ min: -3000, max: 3000 }) }, { weight: 1, arbitrary: fc.integer({ min: -20_000, max: 20_000 }) }), spread: fc.integer({ min: 1, max: 200 }),
    mode: fc.constantFrom('ok', 'ok', 'ok', 'ok', 'crossed', 'oneSided', 'stale'), dtMs: dt,
  }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('trade' as const), qty: fc.integer({ min: 1, max: 70 }), dtMs: dt }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('state' as const), op: fc.constantFrom('kill', 'unkill', 'unkill', 'unkill', 'halt', 'reduce', 'resume', 'resume', 'resume') }) },
  { weight: 1, arbitrary: fc.record({
    k: fc.constant('pnl' as const), realized: fc.double({ min: -80, max: 20, noNaN: true }), unrealized: fc.double({ min: -4, max: 4, noNaN: true }),
  }) },
  { weight: 1, arbitrary: fc.record({
    k: fc.constant('limits' as const), bandBps: fc.integer({ min: 2, max: 1000 }),
    maxOrderLot: fc.option(fc.integer({ min: 1, max: 50 }), { nil: null }), notional: fc.option(fc.integer({ min: 50, max: 3000 }), { nil: null }),
  }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('tick' as const), dtMs: fc.integer({ min: 0, max: 20_000 }) }) },
);
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

interface ModelOrder { id: string; buy: boolean; price: number; remaining: number; placedNs: number; cancelRequested: boolean }

/** The independent checker: its own position, open orders, market and state knowledge. */
class BoundaryChecker {
  position = 0;
  orders: ModelOrder[] = [];
  bid = MID0 - 50;
  ask = MID0 + 50;
  market: 'ok' | 'crossed' | 'oneSided' | 'stale' = 'ok';
  killed = false;
  strategyState = 'ACTIVE';
  symbolState = 'ACTIVE';
  volPaused = false;
  cooldownUntil = { large_trade: -Infinity, volume_spike: -Infinity, price: -Infinity };
  largeTradeUntil = -Infinity;
  allowedTimes: number[] = [];
  violations: string[] = [];
  maxOrderLot: number;
  notionalLotTick: number;
  bandBps: number;

  constructor(readonly p: ParamSet) {
    this.maxOrderLot = p.maxOrderLot ?? p.maxPosLot;
    this.notionalLotTick = p.notional === null ? Infinity : p.notional * LOT_TICK_PER_QUOTE;
    this.bandBps = p.bandBps;
  }

  get openBuys(): number { return this.orders.filter((o) => o.buy).reduce((s, o) => s + o.remaining, 0); }
  get openSells(): number { return this.orders.filter((o) => !o.buy).reduce((s, o) => s + o.remaining, 0); }

  onEvent(e: RiskEvent): void {
    if (e.type === 'state_change') {
      if (e.scope === 'global') this.killed = e.to === 'HALTED';
      else if (e.scope === 'strategy') this.strategyState = e.to;
      else this.symbolState = e.to;
    } else if (e.type === 'volatility_pause') this.volPaused = true;
    else if (e.type === 'volatility_resume') this.volPaused = false;
    else if (e.type === 'adverse_selection') {
      const key = e.trigger === 'large_trade' || e.trigger === 'volume_spike' ? e.trigger : 'price';
      this.cooldownUntil[key] = Math.max(this.cooldownUntil[key], e.cooldownUntilNs);
    }
  }

  /** Why an order must not pass, or null. */
  broken(i: OrderIntent, nowNs: number): string | null {
    const buy = i.side === 'BUY';
    const market = i.type === 'MARKET';
    const exit = i.reduceOnly;
    if (this.killed) return 'kill switch';
    if (this.strategyState === 'HALTED') return 'halted';
    const reduces = buy
      ? this.position < 0 && this.position + this.openBuys + i.qtyLot <= 0
      : this.position > 0 && this.position - this.openSells - i.qtyLot >= 0;
    if ((exit || this.strategyState === 'REDUCING' || this.symbolState === 'REDUCING') && !reduces) return 'reduce-only';
    if (this.market !== 'ok') return `book ${this.market}`;
    const mid = (this.bid + this.ask) / 2;
    const price = market ? (buy ? this.ask : this.bid) : i.priceTick;
    const hard = this.hardLimit(i, price, mid);
    if (hard !== null) return hard;
    if (!exit) {
      if (this.volPaused) return 'volatility pause';
      if (nowNs < this.largeTradeUntil) return 'large trade cooldown';
      for (const [k, until] of Object.entries(this.cooldownUntil)) if (nowNs < until) return `${k} cooldown`;
      if (this.orders.some((o) => !o.cancelRequested && nowNs - o.placedNs > this.p.maxQuoteAgeS * 1e9)) return 'stale quote';
    }
    // token bucket: any run of allowed orders from t_j to now fits burst + rate × elapsed
    const times = [...this.allowedTimes, nowNs];
    for (let j = 0; j < times.length; j++) {
      const n = times.length - j;
      if (n > this.p.burst + (this.p.rate * (nowNs - times[j]!)) / 1e9 + 1e-6) return 'rate';
    }
    return null;
  }

  /** The limits whose denials are checked for justification too. */
  hardLimit(i: OrderIntent, price: number, mid: number): string | null {
    const buy = i.side === 'BUY';
    const market = i.type === 'MARKET';
    if (i.qtyLot > this.maxOrderLot) return 'size';
    if (i.qtyLot * price > this.notionalLotTick) return 'notional';
    if (Math.abs(price - mid) * 1e4 > this.bandBps * mid) return 'band';
    const opposite = this.orders.filter((o) => o.buy !== buy);
    if (opposite.some((o) => (market ? true : buy ? price >= o.price : price <= o.price))) return 'self-cross';
    if (buy ? this.position + this.openBuys + i.qtyLot > this.p.maxPosLot : this.position - this.openSells - i.qtyLot < -this.p.maxPosLot) {
      return 'position';
    }
    return null;
  }

  admit(i: OrderIntent, nowNs: number): void {
    const why = this.broken(i, nowNs);
    if (why !== null) this.violations.push(`${i.clientOrderId} ${i.side} ${i.qtyLot}@${i.priceTick}: ${why}`);
    const market = i.type === 'MARKET';
    const buy = i.side === 'BUY';
    this.orders.push({ id: i.clientOrderId, buy, price: market ? (buy ? Infinity : -Infinity) : i.priceTick, remaining: i.qtyLot, placedNs: nowNs, cancelRequested: false });
    this.allowedTimes.push(nowNs);
  }

  /** A denial for a hard limit must name a limit that is really broken. */
  justify(code: number, i: OrderIntent): void {
    const expected: Record<number, string> = {
      [DENY_MAX_ORDER_SIZE]: 'size', [DENY_MAX_NOTIONAL]: 'notional', [DENY_PRICE_BAND]: 'band', [DENY_SELF_CROSS]: 'self-cross', [DENY_MAX_POSITION]: 'position',
    };
    const want = expected[code];
    if (want === undefined || this.market !== 'ok') return;
    const buy = i.side === 'BUY';
    const price = i.type === 'MARKET' ? (buy ? this.ask : this.bid) : i.priceTick;
    const got = this.hardLimit(i, price, (this.bid + this.ask) / 2);
    if (got !== want) this.violations.push(`${i.clientOrderId}: gate said ${reasonName(code)}, checker finds ${String(got)}`);
  }

  worstCaseOk(): boolean {
    const m = this.p.maxPosLot;
    return Math.abs(this.position) <= m && this.position + this.openBuys <= m && this.position - this.openSells >= -m;
  }
}

function pairs(...xs: number[]): Float64Array { return Float64Array.from(xs); }

let runs = 0;
let allowedTotal = 0;
let deniedTotal = 0;
const tally: Record<string, number> = {};

function run(p: ParamSet, commands: Command[]): void {
  runs++;
  const ingest = new FeedIngest(books);
  try {
    ingest.instrument({ symbolId: 1, symbol: SYM, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
    const model = new BoundaryChecker(p);
    let seq = 1;
    const snapshot = (): void => {
      const m = model;
      if (m.market === 'stale') { ingest.invalidate(1); return; }
      if (m.market === 'oneSided') ingest.snapshot(1, seq++, 0, pairs(m.bid, 5), 1, pairs(), 0);
      else if (m.market === 'crossed') ingest.snapshot(1, seq++, 0, pairs(m.ask, 5), 1, pairs(m.bid, 5), 1);
      else ingest.snapshot(1, seq++, 0, pairs(m.bid, 5), 1, pairs(m.ask, 5), 1);
      ingest.endOfBatch(0);
    };
    snapshot();
    const risk = new RiskEngine({ ingest, vol, listener: (e) => model.onEvent(e) });
    const book = ingest.bySymbolName(SYM)!.book;
    vol.configure(book, { jumpBps: 20 });
    const paramsInput = {
      max_position: p.maxPosLot / 1000, order_size: 0.001, large_trade_qty: p.largeTradeLot === null ? null : p.largeTradeLot / 1000,
      adverse_selection_cooldown_ms: p.cooldownMs, pause_on_volatility: p.pauseOnVol, volatility_threshold_bps: p.volThresholdBps,
      max_quote_age_seconds: p.maxQuoteAgeS, stop_loss_bps: p.stopLossBps, daily_loss_limit_pct: p.dailyPct, capital: 1000,
      requote_threshold_price: p.requoteTicks === null ? null : p.requoteTicks / 100, volume_spike_multiple: p.spikeMultiple,
      volume_spike_window_seconds: 5, volume_baseline_seconds: 30,
    };
    const params = validateParams(paramsInput);
    const limitsOf = (band: number, maxOrderLot: number | null, notional: number | null) => ({
      price_band_bps: band, max_order_qty: maxOrderLot === null ? null : maxOrderLot / 1000, max_order_notional: notional,
    });
    risk.addStrategy('s1', params, {
      ...limitsOf(p.bandBps, p.maxOrderLot, p.notional), max_orders_per_second: p.rate, order_burst: p.burst, volatility_pause_cooldown_ms: p.volCooldownMs,
    });
    risk.addSymbol('s1', ingest.bySymbolName(SYM)!.instrument);

    let now = T0;
    let ids = 0;
    const afterStep = (c: Command): void => {
      if (!model.worstCaseOk()) model.violations.push(`worst case over max_position after ${c.k}: pos ${model.position} buys ${model.openBuys} sells ${model.openSells}`);
      const ex = risk.exposure('s1', SYM)!;
      const mine = { positionLot: model.position, pendingBuyLot: model.openBuys, pendingSellLot: model.openSells, openOrders: model.orders.length };
      if (JSON.stringify(ex) !== JSON.stringify(mine)) model.violations.push(`exposure differs after ${c.k}: gate ${JSON.stringify(ex)} checker ${JSON.stringify(mine)}`);
    };

    for (const c of commands) {
      switch (c.k) {
        case 'order': {
          now += c.dtMs * MS;
          risk.tick(now);
          const buy = c.buy;
          const mid = Math.round((model.bid + model.ask) / 2);
          const bandTicks = (p.bandBps * mid) / 1e4;
          const off = c.far === 0 ? Math.round((c.off / 200) * bandTicks) : c.off;
          // now and then, right at (or a tick off) one of our own opposite orders
          const opposite = model.orders.filter((o) => o.buy !== buy && Number.isFinite(o.price));
          const ownPrice = c.atOwn === 0 && opposite.length > 0 ? opposite[c.pick % opposite.length]!.price + c.nudge : NaN;
          const intent: OrderIntent = {
            clientOrderId: `o${++ids}`, strategyId: 's1', symbol: SYM, side: buy ? 'BUY' : 'SELL', type: c.market === 0 ? 'MARKET' : 'LIMIT',
            timeInForce: 'GTC', priceTick: c.market === 0 ? NaN : Number.isFinite(ownPrice) ? ownPrice : Math.max(1, mid + off), qtyLot: c.qty, reduceOnly: c.exit === 0, level: 1,
          };
          const code = risk.check(intent, { nowNs: now });
          if (code === ALLOW) { allowedTotal++; model.admit(intent, now); } else { deniedTotal++; model.justify(code, intent); }
          break;
        }
        case 'fill': {
          if (model.orders.length === 0) break;
          const o = model.orders[c.pick % model.orders.length]!;
          const q = c.partial ? Math.min(c.qty, o.remaining) : o.remaining;
          expect(risk.onFill(o.id, q, now)).toBe(true);
          model.position += o.buy ? q : -q;
          o.remaining -= q;
          if (o.remaining === 0) model.orders = model.orders.filter((x) => x !== o);
          break;
        }
        case 'cancel': {
          if (model.orders.length === 0) break;
          const o = model.orders[c.pick % model.orders.length]!;
          if (c.requestOnly) { risk.onCancelRequested(o.id); o.cancelRequested = true; } else {
            risk.onOrderClosed(o.id);
            model.orders = model.orders.filter((x) => x !== o);
          }
          break;
        }
        case 'move': {
          now += c.dtMs * MS;
          const mid = Math.max(100_000, Math.round((model.bid + model.ask) / 2) + c.dMid);
          model.bid = mid - Math.ceil(c.spread / 2);
          model.ask = model.bid + c.spread;
          model.market = c.mode as BoundaryChecker['market'];
          snapshot();
          if (model.market === 'ok') vol.update(book, now / 1e3, (model.bid + model.ask) / 2);
          risk.onMarket(SYM, now);
          break;
        }
        case 'trade':
          now += c.dtMs * MS;
          risk.onTrade(SYM, c.qty, now);
          if (p.largeTradeLot !== null && c.qty >= p.largeTradeLot) model.largeTradeUntil = Math.max(model.largeTradeUntil, now + p.cooldownMs * MS);
          break;
        case 'state':
          if (c.op === 'kill') risk.kill(now);
          else if (c.op === 'unkill') risk.resume(now);
          else if (c.op === 'halt') risk.haltStrategy('s1', now);
          else if (c.op === 'reduce') risk.reduceStrategy('s1', now);
          else risk.resumeStrategy('s1', now);
          break;
        case 'pnl':
          risk.onPnl('s1', SYM, c.realized, c.unrealized, Math.abs(model.position) * 50, now);
          break;
        case 'limits':
          risk.setParams('s1', params, now, limitsOf(c.bandBps, c.maxOrderLot, c.notional));
          model.bandBps = c.bandBps;
          model.maxOrderLot = c.maxOrderLot ?? p.maxPosLot;
          model.notionalLotTick = c.notional === null ? Infinity : c.notional * LOT_TICK_PER_QUOTE;
          break;
        case 'tick':
          now += c.dtMs * MS;
          risk.tick(now);
          break;
      }
      afterStep(c);
    }
    // the worst case: every open order fills in full
    for (const o of [...model.orders]) {
      risk.onFill(o.id, o.remaining, now);
      model.position += o.buy ? o.remaining : -o.remaining;
    }
    model.orders = [];
    if (Math.abs(model.position) > p.maxPosLot) model.violations.push(`position ${model.position} beyond ${p.maxPosLot} after filling everything`);
    for (const [k, v] of Object.entries(risk.answerCounts())) tally[k] = (tally[k] ?? 0) + v;
    expect(risk.openOrderCount).toBe(0);
    expect(model.violations).toEqual([]);
  } finally {
    ingest.close();
  }
}

describe('risk gate properties', () => {
  it('no order breaking a limit reaches the boundary; the position stays within max_position in the worst case', () => {
    fc.assert(fc.property(paramSet, fc.array(command, { minLength: 1, maxLength: 200, size: 'max' }), run), { numRuns: 300 });
    expect(runs).toBeGreaterThanOrEqual(300);
    // the gate is not vacuous: it let a good share of orders through, and the
    // sequences reached every rule they can reach
    expect(allowedTotal).toBeGreaterThan(500);
    expect(deniedTotal).toBeGreaterThan(500);
    const reached = [
      'DENY_KILL_SWITCH', 'DENY_HALTED', 'DENY_REDUCE_ONLY', 'DENY_NO_MARKET', 'DENY_BOOK_STALE', 'DENY_BOOK_CROSSED', 'DENY_MAX_ORDER_SIZE',
      'DENY_MAX_NOTIONAL', 'DENY_PRICE_BAND', 'DENY_SELF_CROSS', 'DENY_MAX_POSITION', 'DENY_VOLATILITY_PAUSE', 'DENY_LARGE_TRADE',
      'DENY_PRICE_JUMP', 'DENY_QUOTE_STALE', 'DENY_RATE_LIMIT',
    ];
    for (const name of reached) expect(tally[name], name).toBeGreaterThan(0);
  });

  it('a long busy session on one parameter set', () => {
    const p: ParamSet = {
      maxPosLot: 10, maxOrderLot: 4, notional: 500, bandBps: 50, rate: 20, burst: 10, largeTradeLot: 40, cooldownMs: 1000,
      pauseOnVol: true, volThresholdBps: 30, volCooldownMs: 2000, maxQuoteAgeS: 5, stopLossBps: 100, dailyPct: 5, requoteTicks: 500, spikeMultiple: 3,
    };
    fc.assert(fc.property(fc.array(command, { minLength: 500, maxLength: 1500, size: 'max' }), (cmds) => run(p, cmds)), { numRuns: 20 });
  });
});
