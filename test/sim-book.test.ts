// The simulated books through the real ingest path: every batch consistent (never
// crossed, positive spread, both sides present), trades walking the book from the
// best level without emptying it, zero gaps / rejections / crossed batches, and a
// realistic shape (depth, spread, sizes growing away from the touch).
import { describe, it, expect } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { SIDE_ASK, SIDE_BID, type FeedSink, type InstrumentDefinition, type SideCode } from '../src/feed/feed-sink.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));

/** Forwards to a FeedIngest and checks the book invariants as the messages go by. */
class CheckingSink implements FeedSink {
  readonly ingest = new FeedIngest(books);
  failures: string[] = [];
  batches = 0;
  trades = 0;
  /** Trades whose price was not the best resting level at that moment. */
  private pendingTrade: { id: number; side: SideCode; tick: number; qty: number } | null = null;
  private lastTradeTickInBatch = new Map<number, number>();

  private fail(msg: string): void { if (this.failures.length < 20) this.failures.push(msg); }

  instrument(def: InstrumentDefinition): void { this.ingest.instrument(def); }
  snapshot(id: number, seq: number, ts: number, b: Float64Array, nb: number, a: Float64Array, na: number): void {
    this.ingest.snapshot(id, seq, ts, b, nb, a, na);
  }
  levelSet(id: number, seq: number, ts: number, side: SideCode, tick: number, qty: number): void {
    this.ingest.levelSet(id, seq, ts, side, tick, qty);
  }
  levelChange(id: number, seq: number, ts: number, side: SideCode, tick: number, delta: number): void {
    const p = this.pendingTrade;
    if (p !== null) {
      // the depletion that follows a trade: same resting side, same tick, minus the traded lots
      if (p.id !== id || p.side !== side || p.tick !== tick || delta !== -p.qty) this.fail(`trade at ${p.tick} not followed by its depletion`);
      this.pendingTrade = null;
    }
    if (!Number.isSafeInteger(delta) || delta === 0) this.fail(`bad delta ${delta}`);
    this.ingest.levelChange(id, seq, ts, side, tick, delta);
    const book = this.ingest.symbolState(id)!.book;
    if (books.levelCount(book, side) === 0 && !this.resolving(id)) this.fail(`side ${side} of ${id} emptied at seq ${seq}`);
  }
  trade(id: number, seq: number, ts: number, aggressor: SideCode, tick: number, qty: number, tradeId: number): void {
    const s = this.ingest.symbolState(id)!;
    const resting: SideCode = aggressor === SIDE_BID ? SIDE_ASK : SIDE_BID;
    const best = resting === SIDE_ASK ? books.bestAskTick(s.book) : books.bestBidTick(s.book);
    if (tick !== best) this.fail(`trade at ${tick} is not at the best resting level ${best}`);
    if (books.levelQty(s.book, resting, tick) < qty) this.fail(`trade of ${qty} at ${tick} larger than the level`);
    const prev = this.lastTradeTickInBatch.get(id);
    if (prev !== undefined && (resting === SIDE_ASK ? tick < prev : tick > prev)) this.fail('a sweep went back through the book');
    this.lastTradeTickInBatch.set(id, tick);
    this.pendingTrade = { id, side: resting, tick, qty };
    this.trades++;
    this.ingest.trade(id, seq, ts, aggressor, tick, qty, tradeId);
  }
  heartbeat(ts: number): void { this.ingest.heartbeat(ts); }
  endOfBatch(sendTsNs: number): void {
    if (this.pendingTrade !== null) this.fail('a trade without its depletion');
    this.lastTradeTickInBatch.clear();
    this.ingest.endOfBatch(sendTsNs);
    this.batches++;
    for (const s of this.ingest.symbols()) {
      if (s.state !== 'live' || this.resolving(s.symbolId)) continue;
      const bid = books.bestBidTick(s.book);
      const ask = books.bestAskTick(s.book);
      if (!(Number.isFinite(bid) && Number.isFinite(ask) && ask > bid)) this.fail(`${s.symbol}: bid ${bid} ask ${ask} after batch ${this.batches}`);
      if (books.isCrossed(s.book)) this.fail(`${s.symbol} crossed`);
    }
  }
  resolved = new Set<number>();
  private resolving(id: number): boolean { return this.resolved.has(id); }
}

function run(config: SimConfigInput, seed: number, seconds: number, each?: (sim: MarketSimulator, sink: CheckingSink) => void): { sim: MarketSimulator; sink: CheckingSink } {
  const sim = new MarketSimulator(config, seed);
  const sink = new CheckingSink();
  sim.start(sink);
  for (let k = 1; k <= seconds; k++) {
    sim.advanceTo(sim.startTsNs + k * 1e9, sink);
    each?.(sim, sink);
  }
  return { sim, sink };
}

function expectCleanIngest(sink: CheckingSink): void {
  expect(sink.failures).toEqual([]);
  expect(sink.ingest.counters.malformed).toBe(0);
  expect(sink.ingest.counters.unknownSymbol).toBe(0);
  for (const s of sink.ingest.symbols()) {
    expect(s.state, s.symbol).toBe('live');
    const c = s.counters;
    expect({ symbol: s.symbol, gaps: c.gaps, rejected: c.rejected, crossed: c.crossedBatches, outOfOrder: c.outOfOrder, dropped: c.droppedWhileStale })
      .toEqual({ symbol: s.symbol, gaps: 0, rejected: 0, crossed: 0, outOfOrder: 0, dropped: 0 });
  }
}

describe('simulated books through FeedIngest', () => {
  it('default market, 20 simulated minutes with regime switches: every batch consistent, zero gaps or rejections', () => {
    const { sim, sink } = run({}, 11, 1200);
    expectCleanIngest(sink);
    expect(sink.trades).toBeGreaterThan(10_000);
    // the book mirror inside the simulator and the WASM book agree level by level
    for (const s of sink.ingest.symbols()) {
      const w = sim.symbol(s.symbolId)!.writer;
      const top = books.topLevels(s.book, 1000);
      expect(top.bids.map((l) => [l.tick, l.qtyLot])).toEqual(Array.from({ length: w.bids.n }, (_, i) => [w.bids.ticks[i], w.bids.lots[i]]));
      expect(top.asks.map((l) => [l.tick, l.qtyLot])).toEqual(Array.from({ length: w.asks.n }, (_, i) => [w.asks.ticks[i], w.asks.lots[i]]));
    }
  });

  it('news regime without end (jumps, fast flow): books follow the jumps without crossing or emptying', () => {
    const news = { regimes: { initial: 'news' as const, switching: false, params: { news: { jumpRatePerS: 0.5 } } } };
    const { sim, sink } = run({ instruments: [{ symbol: 'BTCUSDT', ...news }, { symbol: 'ETHUSDT', ...news }] }, 5, 300);
    expectCleanIngest(sink);
    expect(sim.symbol('BTCUSDT')!.stats.jumps).toBeGreaterThan(100);
    expect(sim.symbol('BTCUSDT')!.stats.pickoffs).toBeGreaterThan(0);
  });

  it('book shape: 20+ levels per side, a spread of a few ticks, a large touch, sizes growing with distance, book mid tracks the fair mid', () => {
    const spreads: number[] = [];
    const levels: number[] = [];
    const touchQty: number[] = [];
    const nearQty: number[] = [];
    const farQty: number[] = [];
    let worstMidGap = 0;
    const { sink } = run({ instruments: [{ symbol: 'BTCUSDT' }] }, 3, 600, (sim, sink) => {
      const s = sink.ingest.bySymbolName('BTCUSDT')!;
      const bid = books.bestBidTick(s.book);
      const ask = books.bestAskTick(s.book);
      spreads.push(ask - bid);
      levels.push(books.levelCount(s.book, 0), books.levelCount(s.book, 1));
      const top = books.topLevels(s.book, 40);
      for (const side of [top.bids, top.asks]) {
        touchQty.push(side[0]!.qtyLot);
        side.slice(1, 3).forEach((l) => nearQty.push(l.qtyLot));
        side.slice(30, 40).forEach((l) => farQty.push(l.qtyLot));
      }
      worstMidGap = Math.max(worstMidGap, Math.abs((bid + ask) / 2 - sim.symbol('BTCUSDT')!.fairTick));
    });
    expectCleanIngest(sink);
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(median(spreads)).toBeGreaterThanOrEqual(1);
    expect(median(spreads)).toBeLessThanOrEqual(6);
    expect(Math.min(...spreads)).toBeGreaterThanOrEqual(1);
    expect(median(levels)).toBeGreaterThanOrEqual(20);
    // the touch holds most of the near liquidity, as on Binance BTCUSDT (docs/simulator.md
    // "Calibration": ~2 BTC at the touch, ~0.1-0.3 BTC behind it); levels 2-3 are often old touch
    // quotes, so deep levels (31-40) are only somewhat larger than they are
    expect(mean(farQty)).toBeGreaterThan(mean(nearQty));
    expect(mean(touchQty)).toBeGreaterThan(4 * mean(nearQty));
    // the touch stays within a few steps' motion of the fair mid (0.5 bp/sqrt(s) at 50,000: ~80 ticks per 100 ms step)
    expect(worstMidGap).toBeLessThan(2000);
  });

  it('a fresh snapshot mid-stream continues the sequence and matches the book', () => {
    const sim = new MarketSimulator({ instruments: [{ symbol: 'ETHUSDT' }] }, 9);
    const sink = new CheckingSink();
    sim.start(sink);
    sim.advanceTo(sim.startTsNs + 30e9, sink);
    const s = sink.ingest.bySymbolName('ETHUSDT')!;
    const before = books.topLevels(s.book, 1000);
    const snapshots = s.counters.snapshots;
    sim.snapshot(sink);
    expect(s.counters.snapshots).toBe(snapshots + 1);
    expect(books.topLevels(s.book, 1000)).toEqual(before);
    sim.advanceTo(sim.startTsNs + 60e9, sink);
    expectCleanIngest(sink);
  });
});
