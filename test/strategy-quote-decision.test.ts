// The per-book-update quote decision and the order diff, on the real simulator,
// FeedIngest, WASM books, volatility estimator and quote ladder. The orders go to
// a sink that records them (the engine's sink adds the risk gate and the venue).
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import { WasmVol } from '../src/wasm/vol-api.js';
import { MarketMakingStrategy } from '../src/strategy/market-making-strategy.js';
import { readStrategyDefinition } from '../src/strategy/strategy-definition.js';
import { QuoterSlots } from '../src/strategy/quoter-slots.js';
import { SymbolMarket } from '../src/strategy/symbol-market.js';
import {
  DECIDE_EXIT, DECIDE_PULL, DECIDE_QUOTE, PULL_LIQUIDITY, PULL_MAX_MARKETS, PULL_NEWS, PULL_NOT_QUOTABLE, PULL_NOT_RUNNING,
  PULL_TOO_FAR, StrategyLeg,
} from '../src/strategy/strategy-leg.js';
import {
  ALLOW, DENY_BOOK_STALE, DENY_KILL_SWITCH, DENY_MAX_POSITION, DENY_RATE_LIMIT, DENY_SELF_CROSS, RISK_REASONS, refusesEveryQuote,
} from '../src/risk/reason-codes.js';
import { DiffResult, diffQuotes, pullQuotes, QUOTE_NOT_SENT, QUOTE_SENT, type QuoteOrderSink } from '../src/strategy/order-diff.js';
import { REGIME_NEWS } from '../src/strategy/regime-detector.js';

const SEED000 = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };
const START = 1_704_067_200_000_000_000;

interface Env {
  sim: MarketSimulator;
  ingest: FeedIngest;
  quoter: WasmQuoter;
  vol: WasmVol;
  slots: QuoterSlots;
  markets: Map<string, SymbolMarket>;
  legs: StrategyLeg[];
  now: number;
  advance(seconds: number): void;
  leg(params: Record<string, unknown>, symbols?: string[], name?: string): StrategyLeg[];
}

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0)) f(); });

function env(config: SimConfigInput = {}, seed = 7): Env {
  const ingest = new FeedIngest();
  cleanup.push(() => {
    ingest.close();
    for (const l of e.legs) e.slots.release(`${l.strategy.id}/${l.symbol}`);
  });
  const core = ingest.books.core;
  const sim = new MarketSimulator(config, seed);
  const e: Env = {
    sim, ingest, quoter: new WasmQuoter(core), vol: new WasmVol(core), slots: QuoterSlots.forCore(core),
    markets: new Map(), legs: [], now: sim.startTsNs,
    advance(seconds: number) {
      const until = e.now + seconds * 1e9;
      while (sim.nextEventTsNs() <= until) {
        const t = sim.nextEventTsNs();
        sim.advanceTo(t, ingest);
        e.now = t;
        for (const m of e.markets.values()) m.refresh(t);
      }
      e.now = until;
    },
    leg(params, symbols = ['BTCUSDT'], name = `mm${e.legs.length}`) {
      const def = readStrategyDefinition({ name, symbols, parameters: params });
      const instruments = symbols.map((s) => ingest.bySymbolName(s)!.instrument);
      const strategy = new MarketMakingStrategy(def, instruments);
      return symbols.map((s, i) => {
        let m = e.markets.get(s);
        if (m === undefined) {
          m = new SymbolMarket(ingest.bySymbolName(s)!, ingest.books, e.vol);
          m.configureVol(strategy.params.volatility_window_seconds);
          m.refresh(e.now);
          e.markets.set(s, m);
        }
        const leg = new StrategyLeg(strategy, i, m, e.quoter, e.slots.acquire(`${name}/${s}`));
        e.legs.push(leg);
        return leg;
      });
    },
  };
  sim.start(ingest);
  return e;
}

class RecordingSink implements QuoteOrderSink {
  readonly placed: { side: number; level: number; tick: number; qty: number; id: string }[] = [];
  readonly cancelled: string[] = [];
  refuse = false;
  /** What a refused quote is answered (refuse = true). */
  refusal = QUOTE_NOT_SENT;
  /** placeQuote calls, refused ones included. */
  asked = 0;
  private n = 0;
  placeQuote(leg: StrategyLeg, side: 0 | 1, level: number, tick: number, qtyLot: number, nowNs: number): number {
    this.asked++;
    if (this.refuse) return this.refusal;
    const id = `q${++this.n}`;
    leg.resting.add(side, level, id, tick, qtyLot, nowNs);
    this.placed.push({ side, level, tick, qty: qtyLot, id });
    return QUOTE_SENT;
  }
  /** What hasOrderToken answers, and how often it was asked. */
  tokens = true;
  tokenAsks = 0;
  hasOrderToken(): boolean { this.tokenAsks++; return this.tokens; }
  cancelQuote(_leg: StrategyLeg, id: string): void { this.cancelled.push(id); }
  clear(): void { this.placed.length = 0; this.cancelled.length = 0; }
}

describe('quote decision', () => {
  it('seed 000: 3 levels a side, 2 bps from the mid and 2 bps apart, 100 lots each', () => {
    const e = env();
    e.advance(5);
    const [leg] = e.leg(SEED000);
    expect(leg!.decide(e.now)).toBe(DECIDE_PULL);
    expect(leg!.pullReason).toBe(PULL_NOT_RUNNING);
    leg!.strategy.start(e.now);
    expect(leg!.decide(e.now)).toBe(DECIDE_QUOTE);
    const mid = leg!.market.midTick;
    expect(leg!.bidCount()).toBe(3);
    expect(leg!.askCount()).toBe(3);
    const bps = mid * 2e-4; // 2 bps of the mid, in ticks
    for (let i = 0; i < 3; i++) {
      expect(leg!.bidTick(i)).toBeCloseTo(Math.floor(mid - bps * (i + 1)), -0.5);
      expect(leg!.askTick(i)).toBeCloseTo(Math.ceil(mid + bps * (i + 1)), -0.5);
      expect(leg!.bidQtyLot(i)).toBe(100);
      expect(leg!.askQtyLot(i)).toBe(100);
    }
    expect(leg!.bidTick(0)).toBeLessThan(mid);
    expect(leg!.askTick(0)).toBeGreaterThan(mid);
  });

  it('a stale book pulls the quotes; a paused strategy does not quote', () => {
    const e = env();
    e.advance(2);
    const [leg] = e.leg(SEED000);
    leg!.strategy.start(e.now);
    expect(leg!.decide(e.now)).toBe(DECIDE_QUOTE);
    e.ingest.invalidate(leg!.market.state.symbolId);
    expect(leg!.decide(e.now)).toBe(DECIDE_PULL);
    expect(leg!.pullReason).toBe(PULL_NOT_QUOTABLE);
    e.sim.snapshot(e.ingest); // resync
    e.ingest.endOfBatch(0);
    e.markets.get('BTCUSDT')!.refresh(e.now);
    expect(leg!.decide(e.now)).toBe(DECIDE_QUOTE);
    leg!.strategy.pause('manual');
    expect(leg!.decide(e.now)).toBe(DECIDE_PULL);
  });

  it('the hard position limit removes the bids at +max and the asks at -max', () => {
    const e = env();
    e.advance(2);
    const [leg] = e.leg(SEED000);
    leg!.strategy.start(e.now);
    leg!.inventoryLot = 1000; // 0.01 BTC = max_position
    expect(leg!.decide(e.now)).toBe(DECIDE_QUOTE);
    expect(leg!.bidCount()).toBe(0);
    expect(leg!.askCount()).toBe(3);
    leg!.inventoryLot = -950;
    leg!.decide(e.now);
    expect(leg!.askCount()).toBe(1); // 50 lots of room: the first ask is trimmed to 50 lots
    expect(leg!.askQtyLot(0)).toBe(50);
  });

  it('a parameter change reaches the quoter at the next decision', () => {
    const e = env();
    e.advance(2);
    const [leg] = e.leg(SEED000);
    leg!.strategy.start(e.now);
    leg!.decide(e.now);
    const w0 = leg!.askTick(0) - leg!.bidTick(0);
    leg!.strategy.patch({ spread_bps: 8, quote_levels: 2 });
    expect(leg!.paramsStale).toBe(true);
    leg!.decide(e.now);
    expect(leg!.bidCount()).toBe(2);
    expect(leg!.askTick(0) - leg!.bidTick(0)).toBeGreaterThan(1.8 * w0);
  });

  it('min_liquidity, max_markets and the news regime', () => {
    const e = env();
    e.advance(2);
    const [thin] = e.leg({ ...SEED000, min_liquidity: 1e12 });
    thin!.strategy.start(e.now);
    expect(thin!.decide(e.now)).toBe(DECIDE_PULL);
    expect(thin!.pullReason).toBe(PULL_LIQUIDITY);

    const [a, b] = e.leg({ order_size: 0.01, max_position: 1, max_markets: 1 }, ['BTCUSDT', 'ETHUSDT']);
    a!.strategy.start(e.now);
    expect(a!.decide(e.now)).toBe(DECIDE_QUOTE);
    expect(b!.decide(e.now)).toBe(DECIDE_PULL);
    expect(b!.pullReason).toBe(PULL_MAX_MARKETS);
    e.ingest.invalidate(a!.market.state.symbolId); // the first market goes: the second may quote
    a!.decide(e.now);
    expect(b!.decide(e.now)).toBe(DECIDE_QUOTE);

    const e2 = env();
    e2.advance(2);
    const [n] = e2.leg({ ...SEED000, regime_adjust: true });
    n!.strategy.start(e2.now);
    n!.market.regime.regime = REGIME_NEWS;
    expect(n!.decide(e2.now)).toBe(DECIDE_PULL);
    expect(n!.pullReason).toBe(PULL_NEWS);
  });

  it('binary contracts: skipped far from resolution, double spread within 6 h, forced exit within 30 min', () => {
    const resolution = START + 7 * 3600e9;
    const e = env({ instruments: [{ symbol: 'BTC-100K-YES', resolutionTsNs: resolution }] }, 3);
    e.advance(5);
    const params = { target_spread: 0.04, order_size: 10, max_inventory: 100, max_time_to_resolution_hours: 6.5 };
    const [leg] = e.leg(params, ['BTC-100K-YES']);
    leg!.strategy.start(e.now);
    expect(leg!.decide(e.now)).toBe(DECIDE_PULL); // 7 h left > 6.5 h
    expect(leg!.pullReason).toBe(PULL_TOO_FAR);
    leg!.strategy.patch({ max_time_to_resolution_hours: null });
    expect(leg!.decide(e.now)).toBe(DECIDE_QUOTE);
    const far = leg!.askTick(0) - leg!.bidTick(0);
    expect(far).toBeGreaterThanOrEqual(4); // 4 cents
    expect(far).toBeLessThanOrEqual(5);
    const inside = e.now + 1.5 * 3600e9; // 5.5 h left
    expect(leg!.decide(inside)).toBe(DECIDE_QUOTE);
    expect(leg!.askTick(0) - leg!.bidTick(0)).toBeGreaterThanOrEqual(8);
    expect(leg!.decide(resolution - 20 * 60e9)).toBe(DECIDE_EXIT);
    expect(leg!.decide(resolution + 1)).toBe(DECIDE_PULL);
    expect(leg!.payoutTicks).toBe(100);
  });
});

describe('order diff', () => {
  function quoting(params: Record<string, unknown> = SEED000) {
    const e = env();
    e.advance(2);
    const [leg] = e.leg(params);
    leg!.strategy.start(e.now);
    const sink = new RecordingSink();
    const out = new DiffResult();
    const step = (t: number): DiffResult => {
      out.reset();
      if (leg!.decide(t) === DECIDE_QUOTE) diffQuotes(leg!, sink, t, leg!.strategy.params.requote_threshold_price === null ? 0 : leg!.strategy.params.requote_threshold_price / 0.01, out);
      else pullQuotes(leg!, sink, t, out);
      return out;
    };
    return { e, leg: leg!, sink, step };
  }

  it('places the ladder, then keeps it while nothing changes', () => {
    const { e, leg, sink, step } = quoting();
    expect(step(e.now).placed).toBe(6);
    expect(leg.resting.count).toBe(6);
    sink.clear();
    const r = step(e.now + 1);
    expect([r.placed, r.cancelled]).toEqual([0, 0]);
  });

  it('between refreshes a moved ladder is kept; at the refresh it is requoted level by level', () => {
    // a one-tick tolerance: any move beyond a tick requotes at the refresh
    const { e, leg, sink, step } = quoting({ ...SEED000, quote_refresh_ms: 1000, requote_threshold_price: 0.01 });
    step(e.now);
    const t0 = e.now;
    sink.clear();
    const mid0 = leg.market.midTick;
    e.advance(0.5); // the market moves
    expect(leg.market.midTick).not.toBe(mid0);
    let r = step(e.now);
    expect([r.placed, r.cancelled, r.fullPass]).toEqual([0, 0, false]);
    r = step(t0 + 1000e6);
    expect(r.fullPass).toBe(true);
    expect(r.cancelled).toBeGreaterThan(0);
    expect(r.placed).toBe(r.cancelled);
    expect(sink.cancelled.length).toBe(r.cancelled);
  });

  it('without requote_threshold_price, a quote within half its level\'s distance from the fair value is kept; beyond it, requoted', () => {
    const { e, leg, sink, step } = quoting({ ...SEED000, quote_refresh_ms: 1000, max_quote_age_seconds: 3600 });
    step(e.now);
    const fair0 = leg.fairTick();
    // seed 000's ladder sits 2, 4 and 6 bps from the fair value: tolerances of 1, 2 and 3 bps (in ticks at ~50,000)
    const bps = fair0 * 1e-4;
    expect(leg.fairTick() - leg.bidTick(0)).toBeGreaterThan(1.9 * bps);
    let t = e.now;
    let kept = 0;
    let moved = 0;
    for (let k = 0; k < 120; k++) {
      e.advance(1);
      t = e.now;
      const restingBefore = Array.from(leg.resting.bids.tick.subarray(0, 3));
      sink.clear();
      const r = step(t);
      expect(r.fullPass).toBe(true);
      for (let i = 0; i < 3; i++) {
        const off = Math.abs(restingBefore[i]! - leg.bidTick(i));
        const tol = Math.floor((leg.fairTick() - leg.bidTick(i)) / 2);
        const id = sink.placed.find((p) => p.side === 0 && p.level === i);
        if (leg.resting.bids.state[i] === 0) continue;
        if (off <= tol) { expect(id).toBeUndefined(); kept++; } // kept its queue place
        else { expect(id).toBeDefined(); moved++; }
      }
    }
    expect(kept).toBeGreaterThan(0);
    expect(moved).toBeGreaterThan(0);
  });

  it('new quotes spend a placement budget: at most two ladders at once, then one ladder per 3 x quote_refresh_ms', () => {
    // a ladder 0.05 bps from the mid (tolerance ~12 ticks) on a market moving ~80 ticks per 100 ms: a requote every step
    const { e, leg, step } = quoting({ ...SEED000, spread_bps: 0.1, level_spacing_bps: 0.1, quote_refresh_ms: 1000, max_quote_age_seconds: 3600 });
    let placed = step(e.now).placed; // 6 of the 12
    const t0 = e.now;
    // a full pass every 100 ms for 10 s
    for (let k = 1; k <= 100; k++) {
      e.advance(0.1);
      leg.resting.requoteDue = true;
      placed += step(e.now).placed;
    }
    // 12 at once plus 6 per 3 s over 10 s: at most 12 + 20
    expect(e.now - t0).toBeCloseTo(10e9, -6);
    expect(placed).toBeLessThanOrEqual(32);
    expect(placed).toBeGreaterThanOrEqual(24);
    // an explicit requote_threshold_price has no budget: the same market requotes every step
    const x = quoting({ ...SEED000, spread_bps: 0.1, level_spacing_bps: 0.1, quote_refresh_ms: 1000, max_quote_age_seconds: 3600, requote_threshold_price: 0.01 });
    let placedX = x.step(x.e.now).placed;
    for (let k = 1; k <= 100; k++) {
      x.e.advance(0.1);
      x.leg.resting.requoteDue = true;
      placedX += x.step(x.e.now).placed;
    }
    expect(placedX).toBeGreaterThan(100);
    // a quote without budget to replace it stays unless it is off by its level's whole distance
    expect(leg.resting.count).toBeGreaterThan(0);
  });

  it('a budget refilling one order at a time serves both sides in turn: a bid emptied at every refill does not keep the ask unquoted', () => {
    // one level a side, 1 s refresh: the budget refills one order per 1.5 s once two ladders are spent
    const { e, leg, sink, step } = quoting({ ...SEED000, quote_levels: 1, quote_refresh_ms: 1000, max_quote_age_seconds: 3600 });
    expect(step(e.now).placed).toBe(2);
    const empty = (): void => {
      for (const id of [leg.resting.bids.ids[0], leg.resting.asks.ids[0]]) if (id !== null && id !== undefined) leg.resting.remove(id);
    };
    empty();
    expect(step(e.now).placed).toBe(2); // the budget is spent
    empty();
    sink.clear();
    // the market stays where it is; the bid fills as soon as it rests, at every refill
    for (let k = 1; k <= 8; k++) {
      expect(step(e.now + k * 1.5e9).placed).toBe(1);
      const bid = leg.resting.bids.ids[0];
      if (bid !== null && bid !== undefined) leg.resting.filled(bid, leg.resting.bids.open[0]!);
    }
    // the ask got the second refill and rests; the others went to the bid, the only empty level then
    expect(sink.placed.map((p) => p.side)).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(leg.resting.asks.count).toBe(1);
  });

  it('a price tolerance keeps orders within it at the refresh', () => {
    const { e, leg, step } = quoting({ ...SEED000, requote_threshold_price: 1000 });
    step(e.now);
    const mid0 = leg.market.midTick;
    e.advance(3);
    const r = step(e.now);
    expect(r.fullPass).toBe(true);
    expect(Math.abs(leg.market.midTick - mid0)).toBeLessThan(100_000);
    expect([r.placed, r.cancelled]).toEqual([0, 0]);
  });

  it('an old quote is replaced at the next pass; a fill replaces the level at once', () => {
    const { e, leg, sink, step } = quoting({ ...SEED000, max_quote_age_seconds: 5, requote_threshold_price: 1000 });
    step(e.now);
    sink.clear();
    let r = step(e.now + 6e9);
    expect(r.cancelled).toBe(6);
    expect(r.placed).toBe(6);
    const id = leg.resting.bids.ids[0]!;
    expect(leg.resting.filled(id, 40)).toBe(0);
    expect(leg.resting.bids.open[0]).toBe(60);
    expect(leg.resting.filled(id, 60)).toBe(0);
    expect(leg.resting.bids.state[0]).toBe(0);
    sink.clear();
    r = step(e.now + 6e9 + 1);
    expect(r.placed).toBe(1);
    expect(sink.placed[0]).toMatchObject({ side: 0, level: 0 });
  });

  it('cancel_on_fill holds the opposite side empty until the next refresh', () => {
    const { e, leg, sink, step } = quoting({ ...SEED000, cancel_on_fill: true, quote_refresh_ms: 1000, requote_threshold_price: 1000 });
    step(e.now);
    leg.resting.holdSide = 1;
    leg.resting.holdUntilNs = e.now + 1000e6;
    sink.clear();
    let r = step(e.now + 1);
    expect(r.cancelled).toBe(3);
    expect(leg.resting.asks.count).toBe(0);
    r = step(e.now + 2);
    expect(r.placed).toBe(0);
    r = step(e.now + 1001e6);
    expect(r.placed).toBe(3);
  });

  it('a refused order leaves its level empty and is tried again', () => {
    const { e, leg, sink, step } = quoting();
    sink.refuse = true;
    expect(step(e.now).refused).toBe(6);
    expect(leg.resting.count).toBe(0);
    sink.refuse = false;
    expect(step(e.now + 1).placed).toBe(6);
  });

  it('a refusal every quote would get (rate limit, kill switch, stale book) ends the placing until the next decision; one of a side or price does not', () => {
    for (const [code, asked] of [[DENY_RATE_LIMIT, 1], [DENY_KILL_SWITCH, 1], [DENY_BOOK_STALE, 1], [DENY_MAX_POSITION, 6], [DENY_SELF_CROSS, 6], [QUOTE_NOT_SENT, 6]] as const) {
      const { e, leg, sink, step } = quoting();
      sink.refuse = true;
      sink.refusal = code;
      const r = step(e.now);
      expect(sink.asked, `code ${code}`).toBe(asked);
      expect(r.refused, `code ${code}`).toBe(asked);
      expect(r.placed).toBe(0);
      expect(leg.resting.count).toBe(0);
      // every level is tried again at the next decision
      sink.refuse = false;
      sink.asked = 0;
      expect(step(e.now + 1).placed, `code ${code}`).toBe(6);
      expect(sink.asked).toBe(6);
    }
  });

  it('every gate answer is placed by its everyQuote flag: once per decision when it refuses every quote, once per level otherwise', () => {
    // the refusals that depend on the order's side, price or size (or its id): the rest refuse the whole leg
    const perQuote = ['DENY_INVALID', 'DENY_DUPLICATE_ORDER', 'DENY_REDUCE_ONLY', 'DENY_MAX_ORDER_SIZE', 'DENY_MAX_NOTIONAL', 'DENY_PRICE_BAND', 'DENY_SELF_CROSS', 'DENY_MAX_POSITION'];
    expect(RISK_REASONS.filter((r) => r.code !== ALLOW && !r.everyQuote).map((r) => r.name)).toEqual(perQuote);
    for (const r of RISK_REASONS) {
      if (r.code === ALLOW) continue;
      expect(refusesEveryQuote(r.code), r.name).toBe(r.everyQuote);
      const { e, sink, step } = quoting();
      sink.refuse = true;
      sink.refusal = r.code;
      step(e.now);
      expect(sink.asked, r.name).toBe(r.everyQuote ? 1 : 6);
      for (const f of cleanup.splice(0)) f(); // the books go back before the next env
    }
    expect(refusesEveryQuote(QUOTE_NOT_SENT)).toBe(false);
  });

  it('after a refusal for the order rate, nothing is placed until the strategy\'s bucket holds a token again', () => {
    const { e, leg, sink, step } = quoting();
    sink.refuse = true;
    sink.refusal = DENY_RATE_LIMIT;
    expect(step(e.now).refused).toBe(1);
    expect(sink.tokenAsks).toBe(0); // asked only once a rate refusal was met
    // no token yet: the gate is not asked at all, the levels stay empty
    sink.tokens = false;
    sink.asked = 0;
    for (let k = 1; k <= 5; k++) {
      const r = step(e.now + k);
      expect(r.refused).toBe(0);
      expect(r.placed).toBe(0);
    }
    expect(sink.asked).toBe(0);
    expect(sink.tokenAsks).toBe(5);
    expect(leg.resting.count).toBe(0);
    // a token again: every level is placed, and the bucket is no longer asked
    sink.tokens = true;
    sink.refuse = false;
    expect(step(e.now + 6).placed).toBe(6);
    expect(sink.tokenAsks).toBe(6);
    step(e.now + 7);
    expect(sink.tokenAsks).toBe(6);
    // another refusal, of a side this time: no wait for the bucket
    leg.resting.bids.clear(0);
    sink.refuse = true;
    sink.refusal = DENY_MAX_POSITION;
    step(e.now + 8);
    sink.refuse = false;
    expect(step(e.now + 9).placed).toBe(1);
    expect(sink.tokenAsks).toBe(6);
  });

  it('pull cancels every resting quote', () => {
    const { e, leg, step } = quoting();
    step(e.now);
    leg.strategy.stop(e.now);
    const r = step(e.now + 1);
    expect(r.cancelled).toBe(6);
    expect(leg.resting.count).toBe(0);
  });
});
