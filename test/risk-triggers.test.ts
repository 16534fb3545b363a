// The market-driven rules and their timing, on explicit clocks: the volatility
// pause and its cooldown, large trades, volume spikes, price jumps (the WASM
// estimator's flag) and mid moves, quote age. Events and counts included.
import { describe, it, expect, afterEach } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { patchParams, validateParams } from '../src/strategy/params/index.js';
import type { OrderIntent, OrderSide } from '../src/trading/types.js';
import {
  RiskEngine, type RiskEvent, type RiskLimits, type AdverseSelectionEvent,
  ALLOW, DENY_VOLATILITY_PAUSE, DENY_LARGE_TRADE, DENY_VOLUME_SPIKE, DENY_PRICE_JUMP,
} from '../src/risk/index.js';

const core = instantiateCore('debug');
const books = new WasmBooks(core);
const vol = new WasmVol(core);
const SYM = 'BTCUSDT';
const T0 = 1.7e18;
const S = 1e9;
const BID = 5_000_000;
const ASK = 5_000_100;
const MID = (BID + ASK) / 2;
const us = (ns: number): number => ns / 1e3;

function pairs(...xs: number[]): Float64Array { return Float64Array.from(xs); }

const open: FeedIngest[] = [];
afterEach(() => { while (open.length > 0) open.pop()!.close(); });

let idSeq = 0;
function setup(paramInput: Record<string, unknown> = {}, limits: Partial<RiskLimits> = {}) {
  const ingest = new FeedIngest(books);
  open.push(ingest);
  ingest.instrument({ symbolId: 1, symbol: SYM, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  let seq = 1;
  const market = (bid: number, ask: number): void => {
    ingest.snapshot(1, seq++, 0, pairs(bid, 5), 1, pairs(ask, 5), 1);
    ingest.endOfBatch(0);
  };
  market(BID, ASK);
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ ingest, vol, listener: (e) => events.push(e) });
  const params = validateParams({ max_position: 0.01, order_size: 0.001, volume_spike_multiple: null, ...paramInput });
  risk.addStrategy('s1', params, { max_orders_per_second: 1000, order_burst: 1000, ...limits });
  risk.addSymbol('s1', ingest.bySymbolName(SYM)!.instrument);
  const book = ingest.bySymbolName(SYM)!.book;
  vol.configure(book, { windowUs: 10e6 });
  const intent = (side: OrderSide, priceTick = side === 'BUY' ? BID : ASK, extra: Partial<OrderIntent> = {}): OrderIntent => ({
    clientOrderId: `o${++idSeq}`, strategyId: 's1', symbol: SYM, side, type: 'LIMIT', timeInForce: 'GTC',
    priceTick, qtyLot: 1, reduceOnly: false, level: 1, ...extra,
  });
  const buy = (nowNs: number): number => risk.check(intent('BUY'), { nowNs });
  const kinds = (): string[] => events.map((e) => {
    if (e.type === 'adverse_selection') return `adverse ${e.trigger}`;
    if (e.type === 'cancel_all') return `cancel_all ${e.scope} ${e.reason}`;
    return e.type;
  });
  return { ingest, risk, events, book, market, intent, buy, kinds, params };
}

describe('volatility pause', () => {
  it('pauses above the threshold, lifts after the cooldown at or below it, counts pauses', () => {
    const f = setup({ pause_on_volatility: true, volatility_threshold_bps: 100 }, { volatility_pause_cooldown_ms: 3000 });
    vol.update(f.book, us(T0), MID);
    vol.update(f.book, us(T0 + S), MID * 1.005); // ~50 bps
    f.risk.onMarket(SYM, T0 + S);
    expect(f.events).toHaveLength(0);
    vol.update(f.book, us(T0 + 2 * S), MID * 1.02); // ~150 bps over the window
    f.risk.onMarket(SYM, T0 + 2 * S);
    expect(f.kinds()).toEqual(['volatility_pause', 'cancel_all symbol volatility_pause']);
    expect(f.events[0]).toMatchObject({ strategyId: 's1', symbol: SYM, thresholdBps: 100, tsNs: T0 + 2 * S });
    expect((f.events[0] as { rollingBps: number }).rollingBps).toBeGreaterThan(100);
    expect(f.buy(T0 + 3 * S)).toBe(DENY_VOLATILITY_PAUSE);
    // the returns leave the 10 s window: calm from T0+13 s
    vol.advance(f.book, us(T0 + 13 * S));
    f.risk.onMarket(SYM, T0 + 13 * S);
    expect(f.buy(T0 + 15 * S)).toBe(DENY_VOLATILITY_PAUSE);
    // a spike during the calm period restarts it
    vol.update(f.book, us(T0 + 14 * S), MID);
    vol.update(f.book, us(T0 + 15 * S), MID * 1.02);
    f.risk.onMarket(SYM, T0 + 15 * S);
    vol.advance(f.book, us(T0 + 26 * S));
    f.risk.onMarket(SYM, T0 + 26 * S);
    expect(f.buy(T0 + 28 * S)).toBe(DENY_VOLATILITY_PAUSE);
    // the check follows the clock even before the resume event is emitted
    expect(f.buy(T0 + 29 * S)).toBe(ALLOW);
    expect(f.kinds()).toEqual(['volatility_pause', 'cancel_all symbol volatility_pause']);
    f.risk.tick(T0 + 29 * S);
    expect(f.kinds().at(-1)).toBe('volatility_resume');
    expect(f.risk.metrics('s1')!.volatility_pauses).toBe(1);
    expect(f.risk.metrics('s1')!.adverse_selection_events).toBe(0);
  });

  it('off when pause_on_volatility is false; turning it off lifts a pause at once', () => {
    const f = setup({ pause_on_volatility: false, volatility_threshold_bps: 100 });
    vol.update(f.book, us(T0), MID);
    vol.update(f.book, us(T0 + S), MID * 1.05);
    f.risk.onMarket(SYM, T0 + S);
    expect(f.buy(T0 + S)).toBe(ALLOW);
    const g = setup({ pause_on_volatility: true, volatility_threshold_bps: 100 });
    vol.update(g.book, us(T0), MID);
    vol.update(g.book, us(T0 + S), MID * 1.05);
    g.risk.onMarket(SYM, T0 + S);
    expect(g.buy(T0 + S)).toBe(DENY_VOLATILITY_PAUSE);
    g.risk.setParams('s1', patchParams(g.params, { pause_on_volatility: false }).next, T0 + 2 * S);
    expect(g.kinds().at(-1)).toBe('volatility_resume');
    expect(g.buy(T0 + 2 * S)).toBe(ALLOW);
  });

  it('no reading while the book is not quotable: the pause neither starts nor lifts', () => {
    const f = setup({ pause_on_volatility: true, volatility_threshold_bps: 100 });
    vol.update(f.book, us(T0), MID);
    vol.update(f.book, us(T0 + S), MID * 1.05);
    f.ingest.invalidate(1);
    f.risk.onMarket(SYM, T0 + S);
    expect(f.events).toHaveLength(0);
  });
});

describe('adverse selection', () => {
  it('large trade: a trade >= large_trade_qty cancels and cools down; another inside the cooldown extends it without counting', () => {
    const f = setup({ large_trade_qty: 0.02, adverse_selection_cooldown_ms: 5000 });
    f.risk.onTrade(SYM, 19, T0);
    expect(f.events).toHaveLength(0);
    f.risk.onTrade(SYM, 20, T0 + S);
    expect(f.kinds()).toEqual(['adverse large_trade', 'cancel_all symbol large_trade']);
    expect(f.events[0]).toMatchObject({ value: 20, threshold: 20, cooldownUntilNs: T0 + 6 * S, tsNs: T0 + S });
    expect(f.buy(T0 + 5 * S)).toBe(DENY_LARGE_TRADE);
    f.risk.onTrade(SYM, 30, T0 + 5 * S);
    expect(f.events).toHaveLength(2);
    expect(f.buy(T0 + 9 * S)).toBe(DENY_LARGE_TRADE);
    expect(f.buy(T0 + 10 * S)).toBe(ALLOW);
    f.risk.onTrade(SYM, 25, T0 + 11 * S);
    expect(f.risk.metrics('s1')).toMatchObject({ large_trades: 2, adverse_selection_events: 2 });
  });

  it('volume spike: window volume > multiple × baseline average, only after a full baseline with volume', () => {
    const f = setup({ volume_spike_multiple: 3, volume_spike_window_seconds: 10, volume_baseline_seconds: 60, adverse_selection_cooldown_ms: 2000 });
    f.risk.onTrade(SYM, 100, T0); // no baseline yet
    for (let t = 1; t <= 80; t++) f.risk.onTrade(SYM, 1, T0 + t * S);
    expect(f.events).toHaveLength(0);
    // the 10 s window held ~10 lots, the baseline averages ~10 per window
    f.risk.onTrade(SYM, 21, T0 + 80.5 * S);
    expect(f.events).toHaveLength(0);
    f.risk.onTrade(SYM, 10, T0 + 80.6 * S);
    expect(f.kinds()).toEqual(['adverse volume_spike', 'cancel_all symbol volume_spike']);
    const e = f.events[0] as AdverseSelectionEvent;
    expect(e.value).toBeGreaterThan(e.threshold);
    expect(f.buy(T0 + 82 * S)).toBe(DENY_VOLUME_SPIKE);
    expect(f.buy(T0 + 82.7 * S)).toBe(ALLOW);
    // a baseline with no volume is no baseline
    const g = setup({ volume_spike_multiple: 3, volume_spike_window_seconds: 10, volume_baseline_seconds: 60 });
    g.risk.onTrade(SYM, 1, T0);
    g.risk.onTrade(SYM, 500, T0 + 200 * S);
    expect(g.events).toHaveLength(0);
  });

  it('price jump: the volatility estimator\'s jump flag; an estimator reset is not a jump', () => {
    const f = setup({ adverse_selection_cooldown_ms: 1000 });
    vol.configure(f.book, { windowUs: 10e6, jumpBps: 30 });
    vol.update(f.book, us(T0), MID);
    f.risk.onMarket(SYM, T0);
    vol.update(f.book, us(T0 + S), MID * 1.001);
    f.risk.onMarket(SYM, T0 + S);
    expect(f.events).toHaveLength(0);
    vol.update(f.book, us(T0 + 2 * S), MID * 1.01);
    f.risk.onMarket(SYM, T0 + 2 * S);
    expect(f.kinds()).toEqual(['adverse price_jump', 'cancel_all symbol price_jump']);
    const e = f.events[0] as AdverseSelectionEvent;
    expect(e.value).toBeCloseTo(1e4 * Math.log(1.01 / 1.001), 6);
    expect(e.threshold).toBeNaN();
    expect(f.buy(T0 + 2.5 * S)).toBe(DENY_PRICE_JUMP);
    expect(f.buy(T0 + 3 * S)).toBe(ALLOW);
    vol.configure(f.book, { windowUs: 10e6, jumpBps: 30 }); // jump count back to 0
    f.risk.onMarket(SYM, T0 + 4 * S);
    vol.update(f.book, us(T0 + 5 * S), MID);
    f.risk.onMarket(SYM, T0 + 5 * S);
    expect(f.risk.metrics('s1')!.price_jumps).toBe(1);
  });

  it('price move: mid moved > requote_threshold_price since the open quotes were placed; optional cooldown', () => {
    const f = setup({ requote_threshold_price: 5 }, { price_move_cooldown_ms: 0 }); // 500 ticks
    f.market(BID + 10_000, ASK + 10_000);
    f.risk.onMarket(SYM, T0);
    expect(f.events).toHaveLength(0); // nothing open: nothing to protect
    f.market(BID, ASK);
    expect(f.buy(T0)).toBe(ALLOW);
    f.market(BID + 500, ASK + 500);
    f.risk.onMarket(SYM, T0 + S);
    expect(f.events).toHaveLength(0);
    f.market(BID + 501, ASK + 501);
    f.risk.onMarket(SYM, T0 + 2 * S);
    expect(f.kinds()).toEqual(['adverse price_move', 'cancel_all symbol price_move']);
    expect(f.events[0]).toMatchObject({ value: 501, threshold: 500 });
    expect(f.buy(T0 + 2 * S)).toBe(ALLOW); // requote at once
    const g = setup({ requote_threshold_price: 5 }, { price_move_cooldown_ms: 2000 });
    expect(g.buy(T0)).toBe(ALLOW);
    g.market(BID - 600, ASK - 600);
    g.risk.onMarket(SYM, T0 + S);
    expect(g.buy(T0 + 2 * S)).toBe(DENY_PRICE_JUMP);
    expect(g.buy(T0 + 3 * S)).toBe(ALLOW);
    expect(g.risk.metrics('s1')).toMatchObject({ price_moves: 1, adverse_selection_events: 1 });
  });
});

describe('quote age', () => {
  it('one requote request per stale quote, counted apart from adverse selection', () => {
    const f = setup({ max_quote_age_seconds: 5 });
    const a = f.intent('BUY');
    const b = f.intent('SELL');
    expect(f.risk.check(a, { nowNs: T0 })).toBe(ALLOW);
    expect(f.risk.check(b, { nowNs: T0 + 2 * S })).toBe(ALLOW);
    f.risk.tick(T0 + 5 * S);
    expect(f.events).toHaveLength(0);
    f.risk.tick(T0 + 6 * S);
    f.risk.onMarket(SYM, T0 + 6.5 * S);
    expect(f.events).toEqual([{ type: 'requote', strategyId: 's1', symbol: SYM, reason: 'max_quote_age', ageNs: 6 * S, tsNs: T0 + 6 * S }]);
    f.risk.onCancelRequested(a.clientOrderId);
    f.risk.tick(T0 + 7 * S);
    expect(f.events).toHaveLength(1);
    f.risk.tick(T0 + 8 * S);
    expect(f.events).toHaveLength(2);
    expect(f.risk.metrics('s1')).toMatchObject({ stale_quote_requotes: 2, adverse_selection_events: 0 });
  });
});
