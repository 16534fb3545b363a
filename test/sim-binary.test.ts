// Binary YES contracts: prices stay on [0.01, 0.99] (ticks 1..99) at every message,
// converge towards 0 or 1 as resolution nears, and at the resolution time the book is
// withdrawn in one batch and the symbol falls silent.
import { describe, it, expect } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import type { FeedSink, InstrumentDefinition, SideCode } from '../src/feed/feed-sink.js';
import { BinaryPricer, MarketSimulator, normalCdf, type SimInstrumentInput } from '../src/feed/sim/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));
const SYMBOL = 'BTC-100K-YES';
const RESOLVE_AFTER_S = 600;

class BoundsSink implements FeedSink {
  readonly ingest = new FeedIngest(books);
  failures: string[] = [];
  messagesAfterResolution = 0;
  trades = 0;
  resolvedAtBatch = -1;
  batches = 0;
  constructor(private readonly sim: () => MarketSimulator) {}
  private fail(m: string): void { if (this.failures.length < 10) this.failures.push(m); }
  private tickOk(tick: number): void { if (!(Number.isInteger(tick) && tick >= 1 && tick <= 99)) this.fail(`tick ${tick} outside 1..99`); }
  private msg(): void { if (this.sim().symbol(SYMBOL)!.resolved && this.resolvedAtBatch >= 0) this.messagesAfterResolution++; }
  instrument(d: InstrumentDefinition): void { this.ingest.instrument(d); }
  snapshot(id: number, seq: number, ts: number, b: Float64Array, nb: number, a: Float64Array, na: number): void {
    for (let i = 0; i < nb; i++) this.tickOk(b[2 * i]!);
    for (let i = 0; i < na; i++) this.tickOk(a[2 * i]!);
    this.msg();
    this.ingest.snapshot(id, seq, ts, b, nb, a, na);
  }
  levelSet(): void { this.fail('unexpected levelSet'); }
  levelChange(id: number, seq: number, ts: number, side: SideCode, tick: number, d: number): void {
    this.tickOk(tick);
    this.msg();
    this.ingest.levelChange(id, seq, ts, side, tick, d);
  }
  trade(id: number, seq: number, ts: number, ag: SideCode, tick: number, qty: number, tid: number): void {
    this.tickOk(tick);
    this.msg();
    this.trades++;
    this.ingest.trade(id, seq, ts, ag, tick, qty, tid);
  }
  heartbeat(ts: number): void { this.ingest.heartbeat(ts); }
  endOfBatch(send: number): void {
    this.ingest.endOfBatch(send);
    this.batches++;
    const sim = this.sim().symbol(SYMBOL)!;
    const s = this.ingest.bySymbolName(SYMBOL)!;
    if (s.state !== 'live') return;
    if (sim.resolved) {
      if (this.resolvedAtBatch < 0) this.resolvedAtBatch = this.batches;
      return;
    }
    const bid = books.bestBidTick(s.book);
    const ask = books.bestAskTick(s.book);
    if (!(bid >= 1 && ask <= 99 && bid < ask)) this.fail(`bid ${bid} ask ${ask}`);
  }
}

/** The pure pricing model: no regime switches, so the score moves exactly at the reference sigma. */
const CALM: Partial<SimInstrumentInput> = { regimes: { initial: 'ranging', switching: false } };

function run(seed: number, instrument: Partial<SimInstrumentInput> = CALM, each?: (k: number, sim: MarketSimulator, sink: BoundsSink) => void) {
  let sim: MarketSimulator;
  const start = 1_704_067_200_000_000_000;
  sim = new MarketSimulator({
    startTsNs: start,
    instruments: [{ symbol: SYMBOL, resolutionTsNs: start + RESOLVE_AFTER_S * 1e9, ...instrument }],
  }, seed);
  const sink = new BoundsSink(() => sim);
  sim.start(sink);
  for (let k = 1; k <= RESOLVE_AFTER_S + 60; k++) {
    sim.advanceTo(start + k * 1e9, sink);
    each?.(k, sim, sink);
  }
  return { sim, sink };
}

describe('binary contracts', () => {
  it('the definition carries kind binary and the resolution time', () => {
    const sim = new MarketSimulator({}, 1);
    const def = sim.definitions().find((d) => d.symbol === SYMBOL)!;
    expect(def.kind).toBe('binary');
    expect(def.tickSize).toBe('0.01');
    expect(def.lotSize).toBe('1');
    expect(def.resolutionTsNs).toBe(sim.startTsNs + 24 * 3600e9); // default: a day after start
  });

  it('stays within 1..99 ticks, trades, resolves on time: book withdrawn in one batch, then silence', () => {
    const { sim, sink } = run(3);
    expect(sink.failures).toEqual([]);
    expect(sink.trades).toBeGreaterThan(100);
    const s = sim.symbol(SYMBOL)!;
    expect(s.resolved).toBe(true);
    expect(s.outcome === 'yes' || s.outcome === 'no').toBe(true);
    expect(sink.messagesAfterResolution).toBe(0);
    const st = sink.ingest.bySymbolName(SYMBOL)!;
    expect(books.levelCount(st.book, 0) + books.levelCount(st.book, 1)).toBe(0);
    expect([st.counters.gaps, st.counters.rejected, st.counters.crossedBatches]).toEqual([0, 0, 0]);
    // afterwards only heartbeats remain
    const next = sim.nextEventTsNs();
    expect((next - sim.startTsNs) / 1e9 % 1).toBe(0);
  });

  it('prices converge towards 0 or 1 as resolution nears, and to the outcome (16 seeds)', () => {
    const early: number[] = [];
    const late: number[] = [];
    let agree = 0;
    let pinned = 0;
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    for (const seed of seeds) {
      let lateMid = NaN;
      const { sim } = run(seed, CALM, (k, sim, sink) => {
        const s = sink.ingest.bySymbolName(SYMBOL)!;
        if (k === 30) early.push(Math.abs(books.midTick(s.book) / 100 - 0.5));
        if (k === RESOLVE_AFTER_S - 2) { lateMid = books.midTick(s.book); late.push(Math.abs(lateMid / 100 - 0.5)); }
      });
      const outcomeTick = sim.symbol(SYMBOL)!.outcome === 'yes' ? 99 : 1;
      if ((lateMid > 50) === (outcomeTick === 99)) agree++;
      if (Math.abs(lateMid - outcomeTick) <= 5) pinned++;
    }
    const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(late)).toBeGreaterThan(0.4);
    expect(mean(late)).toBeGreaterThan(mean(early) + 0.15);
    // theory for p0 = 0.35, 600 s: ~7 % not within 5 ticks of a bound 2 s before the end, ~2 % flip after
    expect(agree).toBeGreaterThanOrEqual(14);
    expect(pinned).toBeGreaterThanOrEqual(13);
  });

  it('with the default regime switching too: in bounds, resolved, silent afterwards', () => {
    const { sim, sink } = run(6, {});
    expect(sink.failures).toEqual([]);
    expect(sim.symbol(SYMBOL)!.resolved).toBe(true);
    expect(sink.messagesAfterResolution).toBe(0);
  });

  it('near a bound and through news jumps the book stays inside 1..99 and never crosses', () => {
    const { sink } = run(4, {
      initialPrice: '0.03',
      regimes: { initial: 'news', switching: false, params: { news: { jumpRatePerS: 0.2, jumpSigmaBps: 3000 } } },
    });
    expect(sink.failures).toEqual([]);
    const st = sink.ingest.bySymbolName(SYMBOL)!;
    expect([st.counters.gaps, st.counters.rejected, st.counters.crossedBatches]).toEqual([0, 0, 0]);
  });

  it('pricing: Phi of the score over the reference sd of what remains, clamped to the bounds', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1)).toBeCloseTo(0.15865525393145707, 6);
    const p = new BinaryPricer(100, 1, 99, 3600, 10);
    const x = p.scoreFor(0.35, 0);
    expect(p.probability(x, 0)).toBeCloseTo(0.35, 6);
    expect(p.fairTicks(x, 0)).toBeCloseTo(35, 4);
    // the same score maps closer to 0 as time runs out, and to the bound at the end
    expect(p.probability(x, 3000)).toBeLessThan(0.35);
    expect(p.fairTicks(x, 3599.999)).toBe(1);
    expect(p.fairTicks(-x, 3599.999)).toBe(99);
  });
});
