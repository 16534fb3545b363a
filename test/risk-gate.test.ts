// The pre-trade gate: one test (at least) per reason code, the order of the rules,
// pending exposure, the open-order lifecycle, and the answer counters. Real feed
// ingest, WASM books and volatility estimators; explicit clocks.
import { describe, it, expect, afterEach } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { validateParams } from '../src/strategy/params/index.js';
import type { OrderIntent } from '../src/trading/types.js';
import {
  RiskEngine, type RiskEvent, type RiskLimits, RISK_REASONS, REASON_COUNT, reasonName,
  ALLOW, DENY_INVALID, DENY_UNKNOWN, DENY_DUPLICATE_ORDER, DENY_KILL_SWITCH, DENY_HALTED, DENY_REDUCE_ONLY, DENY_NO_MARKET,
  DENY_BOOK_STALE, DENY_BOOK_CROSSED, DENY_FEED_STALE, DENY_MAX_ORDER_SIZE, DENY_MAX_NOTIONAL, DENY_PRICE_BAND, DENY_SELF_CROSS,
  DENY_MAX_POSITION, DENY_VOLATILITY_PAUSE, DENY_LARGE_TRADE, DENY_VOLUME_SPIKE, DENY_PRICE_JUMP, DENY_QUOTE_STALE,
  DENY_ORDER_TABLE_FULL, DENY_RATE_LIMIT,
} from '../src/risk/index.js';

const core = instantiateCore('debug');
const books = new WasmBooks(core);
const vol = new WasmVol(core);
const SYM_ID = 1;
const SYM = 'BTCUSDT';
const T0 = 1.7e18;
const S = 1e9;
const BID = 5_000_000; // 50,000.00 at tick 0.01
const ASK = 5_000_100;
const MID = (BID + ASK) / 2;

function pairs(...xs: number[]): Float64Array { return Float64Array.from(xs); }

interface Fixture {
  ingest: FeedIngest;
  risk: RiskEngine;
  events: RiskEvent[];
  book: number;
  market(bid: number, ask: number): void;
  check(side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, extra?: Partial<OrderIntent>, nowNs?: number): number;
  intent(side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, extra?: Partial<OrderIntent>): OrderIntent;
}

const open: FeedIngest[] = [];
afterEach(() => { while (open.length > 0) open.pop()!.close(); });

let idSeq = 0;
function setup(paramInput: Record<string, unknown> = {}, limits: Partial<RiskLimits> = {}, maxOpenOrders?: number): Fixture {
  const ingest = new FeedIngest(books, { staleFeedMs: 1000 });
  open.push(ingest);
  ingest.instrument({ symbolId: SYM_ID, symbol: SYM, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  let seq = 1;
  const market = (bid: number, ask: number): void => {
    ingest.snapshot(SYM_ID, seq++, 0, pairs(bid, 5), 1, pairs(ask, 5), 1);
    ingest.endOfBatch(0);
  };
  market(BID, ASK);
  const events: RiskEvent[] = [];
  const risk = new RiskEngine({ ingest, vol, listener: (e) => events.push(e), maxOpenOrders });
  const params = validateParams({ max_position: 0.01, order_size: 0.001, volume_spike_multiple: null, ...paramInput });
  risk.addStrategy('s1', params, { max_orders_per_second: 1000, order_burst: 1000, ...limits });
  risk.addSymbol('s1', ingest.bySymbolName(SYM)!.instrument);
  const book = ingest.bySymbolName(SYM)!.book;
  vol.configure(book, {});
  const intent = (side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, extra: Partial<OrderIntent> = {}): OrderIntent => ({
    clientOrderId: `o${++idSeq}`, strategyId: 's1', symbol: SYM, side, type: 'LIMIT', timeInForce: 'GTC',
    priceTick, qtyLot, reduceOnly: false, level: 1, ...extra,
  });
  const check = (side: 'BUY' | 'SELL', priceTick: number, qtyLot: number, extra: Partial<OrderIntent> = {}, nowNs = T0): number =>
    risk.check(intent(side, priceTick, qtyLot, extra), { nowNs });
  return { ingest, risk, events, book, market, check, intent };
}

describe('reason table', () => {
  it('has one entry per code, in code order, with unique names and a message', () => {
    expect(RISK_REASONS).toHaveLength(REASON_COUNT);
    RISK_REASONS.forEach((r, i) => {
      expect(r.code).toBe(i);
      expect(r.message.length).toBeGreaterThan(10);
    });
    expect(new Set(RISK_REASONS.map((r) => r.name)).size).toBe(REASON_COUNT);
    expect(reasonName(DENY_PRICE_BAND)).toBe('DENY_PRICE_BAND');
    expect(reasonName(999)).toBe('UNKNOWN_999');
  });
});

describe('pre-trade gate', () => {
  it('ALLOW records the order as pending exposure on its side', () => {
    const f = setup();
    expect(f.check('BUY', BID, 2)).toBe(ALLOW);
    expect(f.check('SELL', ASK, 3)).toBe(ALLOW);
    expect(f.risk.exposure('s1', SYM)).toEqual({ positionLot: 0, pendingBuyLot: 2, pendingSellLot: 3, openOrders: 2 });
    expect(f.risk.openOrderCount).toBe(2);
  });

  it('DENY_INVALID: NaN, fractional, zero or negative price and quantity, bad side or type, bad clock; never throws', () => {
    const f = setup();
    expect(f.check('BUY', NaN, 1)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, NaN)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, 0)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, -1)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, 1.5)).toBe(DENY_INVALID);
    expect(f.check('BUY', -5, 1)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID + 0.5, 1)).toBe(DENY_INVALID);
    expect(f.check('BUY', Infinity, 1)).toBe(DENY_INVALID);
    expect(f.check('HOLD' as 'BUY', BID, 1)).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, 1, { type: 'STOP' as 'LIMIT' })).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, 1, { clientOrderId: '' })).toBe(DENY_INVALID);
    expect(f.check('BUY', BID, 1, {}, NaN)).toBe(DENY_INVALID);
    expect(f.risk.check(null as unknown as OrderIntent, { nowNs: T0 })).toBe(DENY_INVALID);
    expect(f.risk.check(f.intent('BUY', BID, 1), null as unknown as { nowNs: number })).toBe(DENY_INVALID);
    const hostile = { ...f.intent('BUY', BID, 1) };
    Object.defineProperty(hostile, 'qtyLot', { get() { throw new Error('boom'); } });
    expect(f.risk.check(hostile, { nowNs: T0 })).toBe(DENY_INVALID);
    expect(f.risk.openOrderCount).toBe(0);
    expect(f.risk.answerCounts()['DENY_INVALID']).toBe(15);
  });

  it('MARKET orders need no price: checked at the far touch', () => {
    const f = setup();
    expect(f.check('BUY', NaN, 1, { type: 'MARKET' })).toBe(ALLOW);
  });

  it('DENY_UNKNOWN: strategy or symbol not registered', () => {
    const f = setup();
    expect(f.check('BUY', BID, 1, { strategyId: 'nope' })).toBe(DENY_UNKNOWN);
    expect(f.check('BUY', BID, 1, { symbol: 'ETHUSDT' })).toBe(DENY_UNKNOWN);
    // unknown strategies count globally only
    expect(f.risk.answerCounts()['DENY_UNKNOWN']).toBe(2);
    expect(f.risk.answerCounts('s1')['DENY_UNKNOWN']).toBe(1);
  });

  it('DENY_DUPLICATE_ORDER: an open client order id; free again once closed', () => {
    const f = setup();
    const i = f.intent('BUY', BID, 1);
    expect(f.risk.check(i, { nowNs: T0 })).toBe(ALLOW);
    expect(f.risk.check(i, { nowNs: T0 })).toBe(DENY_DUPLICATE_ORDER);
    expect(f.risk.exposure('s1', SYM)!.pendingBuyLot).toBe(1);
    f.risk.onOrderClosed(i.clientOrderId);
    expect(f.risk.check(i, { nowNs: T0 })).toBe(ALLOW);
  });

  it('DENY_KILL_SWITCH and DENY_HALTED block everything, exits included', () => {
    const f = setup();
    f.risk.onUntrackedFill('s1', SYM, 'BUY', 3);
    f.risk.kill(T0);
    expect(f.check('SELL', ASK, 1, { reduceOnly: true })).toBe(DENY_KILL_SWITCH);
    f.risk.resume(T0);
    f.risk.haltStrategy('s1', T0);
    expect(f.check('SELL', ASK, 1, { reduceOnly: true })).toBe(DENY_HALTED);
    expect(f.check('BUY', BID, 1)).toBe(DENY_HALTED);
    f.risk.resumeStrategy('s1', T0);
    expect(f.check('BUY', BID, 1)).toBe(ALLOW);
  });

  it('DENY_REDUCE_ONLY: a reduceOnly intent must reduce |position| and cannot flip it, counting pending orders', () => {
    const f = setup();
    expect(f.check('SELL', ASK, 1, { reduceOnly: true })).toBe(DENY_REDUCE_ONLY); // flat: nothing to reduce
    f.risk.onUntrackedFill('s1', SYM, 'BUY', 3);
    expect(f.check('BUY', BID, 1, { reduceOnly: true })).toBe(DENY_REDUCE_ONLY); // adds to a long
    expect(f.check('SELL', ASK, 4, { reduceOnly: true })).toBe(DENY_REDUCE_ONLY); // would flip
    expect(f.check('SELL', ASK, 2, { reduceOnly: true })).toBe(ALLOW);
    expect(f.check('SELL', ASK, 2, { reduceOnly: true })).toBe(DENY_REDUCE_ONLY); // 3 - 2 pending - 2 < 0
    expect(f.check('SELL', ASK, 1, { reduceOnly: true })).toBe(ALLOW);
  });

  it('DENY_REDUCE_ONLY in a REDUCING strategy, for every order', () => {
    const f = setup();
    f.risk.onUntrackedFill('s1', SYM, 'SELL', 2);
    f.risk.reduceStrategy('s1', T0);
    expect(f.check('SELL', ASK, 1)).toBe(DENY_REDUCE_ONLY);
    expect(f.check('BUY', BID, 3)).toBe(DENY_REDUCE_ONLY);
    expect(f.check('BUY', BID, 2)).toBe(ALLOW);
  });

  it('DENY_NO_MARKET: the feed does not know the symbol, or a side is empty', () => {
    const f = setup();
    f.ingest.snapshot(SYM_ID, 100, 0, pairs(BID, 5), 1, pairs(), 0);
    f.ingest.endOfBatch(0);
    expect(f.check('BUY', BID, 1)).toBe(DENY_NO_MARKET);
    // a symbol the strategy trades that the feed never defined
    const ingest2 = new FeedIngest(books);
    open.push(ingest2);
    const risk2 = new RiskEngine({ ingest: ingest2, vol });
    risk2.addStrategy('s1', validateParams({}));
    risk2.addSymbol('s1', f.ingest.bySymbolName(SYM)!.instrument);
    expect(risk2.check(f.intent('BUY', BID, 1), { nowNs: T0 })).toBe(DENY_NO_MARKET);
  });

  it('DENY_BOOK_STALE: awaiting a snapshot, or after a sequence gap', () => {
    const f = setup();
    f.ingest.levelSet(SYM_ID, 999, 0, 0, BID, 1); // gap
    expect(f.check('BUY', BID, 1)).toBe(DENY_BOOK_STALE);
    f.market(BID, ASK);
    expect(f.check('BUY', BID, 1)).toBe(ALLOW);
  });

  it('DENY_BOOK_CROSSED', () => {
    const f = setup();
    f.market(ASK, BID);
    expect(f.check('BUY', BID, 1)).toBe(DENY_BOOK_CROSSED);
  });

  it('DENY_FEED_STALE: no message for longer than the stale-feed interval', () => {
    const f = setup();
    const s = f.ingest.bySymbolName(SYM)!;
    f.ingest.checkStaleFeed(s.lastMsgMonoNs + 2e9);
    expect(f.check('BUY', BID, 1)).toBe(DENY_FEED_STALE);
  });

  it('DENY_MAX_ORDER_SIZE: max_order_qty, or max_position when unset', () => {
    const f = setup({}, { max_order_qty: 0.004 });
    expect(f.check('BUY', BID, 5)).toBe(DENY_MAX_ORDER_SIZE);
    expect(f.check('BUY', BID, 4)).toBe(ALLOW);
    const g = setup();
    expect(g.check('BUY', BID, 11)).toBe(DENY_MAX_ORDER_SIZE);
  });

  it('DENY_MAX_NOTIONAL: quantity × price above max_order_notional', () => {
    const f = setup({}, { max_order_notional: 150 });
    expect(f.check('BUY', BID + 1, 3)).toBe(DENY_MAX_NOTIONAL); // 0.003 × 50,000.01 = 150.00003
    expect(f.check('BUY', BID, 3)).toBe(ALLOW); // 0.003 × 50,000.00 = 150: not above
    expect(f.check('BUY', BID, 4)).toBe(DENY_MAX_NOTIONAL);
  });

  it('DENY_PRICE_BAND: farther than price_band_bps from the mid, either way', () => {
    const f = setup({}, { price_band_bps: 100 });
    const band = MID * 0.01;
    expect(f.check('BUY', Math.floor(MID - band) - 1, 1)).toBe(DENY_PRICE_BAND);
    expect(f.check('BUY', Math.ceil(MID - band), 1)).toBe(ALLOW);
    expect(f.check('SELL', Math.ceil(MID + band) + 1, 1)).toBe(DENY_PRICE_BAND);
    expect(f.check('SELL', Math.floor(MID + band), 1)).toBe(ALLOW);
  });

  it('DENY_SELF_CROSS: a buy at or above our lowest open sell, across strategies, market orders included', () => {
    const f = setup();
    f.risk.addStrategy('s2', validateParams({ max_position: 0.01, order_size: 0.001 }), { max_orders_per_second: 1000, order_burst: 1000 });
    f.risk.addSymbol('s2', f.ingest.bySymbolName(SYM)!.instrument);
    expect(f.check('SELL', ASK + 10, 1)).toBe(ALLOW);
    expect(f.check('BUY', ASK + 10, 1, { strategyId: 's2' })).toBe(DENY_SELF_CROSS);
    expect(f.check('BUY', ASK + 9, 1, { strategyId: 's2' })).toBe(ALLOW);
    expect(f.check('BUY', NaN, 1, { type: 'MARKET' })).toBe(DENY_SELF_CROSS);
    expect(f.check('SELL', ASK + 9, 1)).toBe(DENY_SELF_CROSS);
    // the cancel is requested: still open, still counts
    const ids = f.risk.openOrderIds('s1', SYM);
    f.risk.onCancelRequested(ids[0]!);
    expect(f.check('BUY', ASK + 10, 1, { strategyId: 's2' })).toBe(DENY_SELF_CROSS);
    f.risk.onOrderClosed(ids[0]!);
    expect(f.check('BUY', ASK + 10, 1, { strategyId: 's2' })).toBe(ALLOW); // no sell of ours left
    expect(f.check('SELL', ASK + 10, 1)).toBe(DENY_SELF_CROSS); // our best buy is now ASK+10
    expect(f.check('SELL', ASK + 11, 1)).toBe(ALLOW);
  });

  it('DENY_MAX_POSITION: position + pending on that side + this order, long and short', () => {
    const f = setup(); // max_position 10 lots
    expect(f.check('BUY', BID, 6)).toBe(ALLOW);
    expect(f.check('BUY', BID, 5)).toBe(DENY_MAX_POSITION);
    expect(f.check('BUY', BID, 4)).toBe(ALLOW);
    expect(f.check('BUY', BID, 1)).toBe(DENY_MAX_POSITION);
    // sells do not offset pending buys: the worst case is every buy filling
    expect(f.check('SELL', ASK, 10)).toBe(ALLOW);
    expect(f.check('SELL', ASK, 1)).toBe(DENY_MAX_POSITION);
    // fills move exposure from pending to position; a close frees the rest
    const [buy6] = f.risk.openOrderIds('s1', SYM).slice(-1);
    f.risk.onFill(buy6!, 6);
    expect(f.risk.exposure('s1', SYM)).toMatchObject({ positionLot: 6, pendingBuyLot: 4, pendingSellLot: 10 });
    expect(f.check('SELL', ASK, 1)).toBe(ALLOW); // 6 - 10 - 1 = -5
  });

  it('DENY_VOLATILITY_PAUSE while the pause holds; reduce-only exits pass', () => {
    const f = setup({ pause_on_volatility: true, volatility_threshold_bps: 100 }, { volatility_pause_cooldown_ms: 10_000 });
    vol.update(f.book, T0 / 1e3, MID);
    vol.update(f.book, T0 / 1e3 + 1e6, MID * 1.02);
    f.risk.onMarket(SYM, T0 + S);
    expect(f.check('BUY', BID, 1, {}, T0 + S)).toBe(DENY_VOLATILITY_PAUSE);
    f.risk.onUntrackedFill('s1', SYM, 'BUY', 2);
    expect(f.check('SELL', ASK, 1, { reduceOnly: true }, T0 + S)).toBe(ALLOW);
  });

  it('DENY_LARGE_TRADE, DENY_VOLUME_SPIKE, DENY_PRICE_JUMP during their cooldowns', () => {
    const f = setup({ large_trade_qty: 0.05, adverse_selection_cooldown_ms: 5000 });
    f.risk.onTrade(SYM, 50, T0);
    expect(f.check('BUY', BID, 1, {}, T0 + S)).toBe(DENY_LARGE_TRADE);
    expect(f.check('BUY', BID, 1, {}, T0 + 6 * S)).toBe(ALLOW);

    const g = setup({ volume_spike_multiple: 3, volume_spike_window_seconds: 10, volume_baseline_seconds: 100 });
    for (let t = 0; t <= 110; t++) g.risk.onTrade(SYM, 1, T0 + t * S);
    g.risk.onTrade(SYM, 200, T0 + 111 * S);
    expect(g.check('BUY', BID, 1, {}, T0 + 112 * S)).toBe(DENY_VOLUME_SPIKE);

    const h = setup();
    vol.configure(h.book, { jumpBps: 30 });
    vol.update(h.book, T0 / 1e3, MID);
    h.risk.onMarket(SYM, T0);
    vol.update(h.book, T0 / 1e3 + 1e3, MID * 1.01);
    h.risk.onMarket(SYM, T0 + 1e6);
    expect(h.check('BUY', BID, 1, {}, T0 + 2e6)).toBe(DENY_PRICE_JUMP);
  });

  it('DENY_QUOTE_STALE: an open quote older than max_quote_age_seconds, until its cancel is requested', () => {
    const f = setup({ max_quote_age_seconds: 5 });
    expect(f.check('BUY', BID, 1, {}, T0)).toBe(ALLOW);
    expect(f.check('BUY', BID - 1, 1, {}, T0 + 5 * S)).toBe(ALLOW); // exactly the age: not exceeded
    expect(f.check('SELL', ASK, 1, {}, T0 + 6 * S)).toBe(DENY_QUOTE_STALE);
    const [first] = f.risk.openOrderIds('s1', SYM).slice(-1);
    f.risk.onCancelRequested(first!);
    expect(f.check('SELL', ASK, 1, {}, T0 + 6 * S)).toBe(ALLOW); // the next oldest is 1 s old
  });

  it('DENY_ORDER_TABLE_FULL at the open-order capacity', () => {
    const f = setup({}, {}, 2);
    expect(f.check('BUY', BID, 1)).toBe(ALLOW);
    expect(f.check('BUY', BID, 1)).toBe(ALLOW);
    expect(f.check('BUY', BID, 1)).toBe(DENY_ORDER_TABLE_FULL);
    f.risk.onOrderClosed(f.risk.openOrderIds('s1', SYM)[0]!);
    expect(f.check('BUY', BID, 1)).toBe(ALLOW);
  });

  it('DENY_RATE_LIMIT: token bucket per strategy; only allowed orders spend tokens', () => {
    const f = setup({}, { max_orders_per_second: 2, order_burst: 3 });
    expect(f.check('BUY', NaN, 1)).toBe(DENY_INVALID);
    for (let i = 0; i < 3; i++) expect(f.check('BUY', BID, 1, {}, T0)).toBe(ALLOW);
    expect(f.check('BUY', BID, 1, {}, T0)).toBe(DENY_RATE_LIMIT);
    expect(f.check('BUY', BID, 1, {}, T0 + 0.4 * S)).toBe(DENY_RATE_LIMIT);
    expect(f.check('BUY', BID, 1, {}, T0 + 0.6 * S)).toBe(ALLOW);
    expect(f.check('BUY', BID, 1, {}, T0 + 0.6 * S)).toBe(DENY_RATE_LIMIT);
  });

  it('rules apply in table order: the first broken rule is the answer', () => {
    const f = setup({}, { max_order_qty: 0.002, price_band_bps: 10 });
    f.risk.haltStrategy('s1', T0);
    // broken: halted, size, band, position
    expect(f.check('BUY', BID - 100_000, 50)).toBe(DENY_HALTED);
    f.risk.resumeStrategy('s1', T0);
    expect(f.check('BUY', BID - 100_000, 50)).toBe(DENY_MAX_ORDER_SIZE);
    expect(f.check('BUY', BID - 100_000, 2)).toBe(DENY_PRICE_BAND);
  });

  it('counts every answer per reason, globally and per strategy', () => {
    const f = setup({}, { max_order_qty: 0.002 });
    f.check('BUY', BID, 1);
    f.check('BUY', BID, 3);
    f.check('BUY', BID, 3);
    f.check('BUY', NaN, 1);
    const all = f.risk.answerCounts();
    expect(all['ALLOW']).toBe(1);
    expect(all['DENY_MAX_ORDER_SIZE']).toBe(2);
    expect(all['DENY_INVALID']).toBe(1);
    expect(Object.keys(all)).toHaveLength(REASON_COUNT);
    expect(f.risk.metrics('s1')!.denials).toEqual({ DENY_MAX_ORDER_SIZE: 2, DENY_INVALID: 1 });
  });

  it('fills: partial fills keep the rest pending; a fill beyond the rest still moves the position', () => {
    const f = setup();
    const i = f.intent('BUY', BID, 4);
    expect(f.risk.check(i, { nowNs: T0 })).toBe(ALLOW);
    expect(f.risk.onFill(i.clientOrderId, 1)).toBe(true);
    expect(f.risk.exposure('s1', SYM)).toEqual({ positionLot: 1, pendingBuyLot: 3, pendingSellLot: 0, openOrders: 1 });
    expect(f.risk.onFill(i.clientOrderId, 5)).toBe(true);
    expect(f.risk.exposure('s1', SYM)).toEqual({ positionLot: 6, pendingBuyLot: 0, pendingSellLot: 0, openOrders: 0 });
    expect(f.risk.onFill(i.clientOrderId, 1)).toBe(false);
    expect(f.risk.onFill('x', NaN)).toBe(false);
    expect(f.risk.onOrderClosed('unknown')).toBe(false);
    expect(f.risk.setPosition('s1', SYM, -2)).toBe(true);
    expect(f.risk.exposure('s1', SYM)!.positionLot).toBe(-2);
  });
});
