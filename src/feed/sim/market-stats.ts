// Market statistics of one symbol from any FeedSink source: a real recording (through
// the Binance adapter) or the simulator, measured the same way so the two can be
// compared (test/sim-calibration.test.ts, docs/simulator.md "Calibration"):
//   - spread in ticks, sampled every sampleMs of exchange time;
//   - resting size of the best five levels per side (base units) and the number of
//     levels within 10 ticks of the touch;
//   - trades: count per second, size distribution (base units), volume per second;
//   - mid volatility: standard deviation of 1 s log-returns of the book mid, bps.
// The book is a plain map per side (tick -> lots), read only at the sample times;
// this is a measuring tool, not a hot path.
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed-sink.js';

export interface MarketStats {
  symbol: string;
  seconds: number;
  samples: number;
  spreadTicks: { p10: number; p50: number; p90: number; mean: number; oneTickPct: number };
  /** Mean resting size (base units) at the best 1..5 levels, bids and asks pooled. */
  levelQty: number[];
  /** Mean number of occupied levels within 10 ticks of the best price, per side. */
  levelsWithin10Ticks: number;
  tradesPerS: number;
  volumePerS: number;
  tradeQty: { p10: number; p50: number; p90: number; p99: number; mean: number };
  /** Std of 1 s mid log-returns, bps (= bps/sqrt(s)). */
  midVolBpsPerSqrtS: number;
  /** Std of 10 s mid log-returns over sqrt(10), bps/sqrt(s) (non-overlapping windows). */
  midVol10sBpsPerSqrtS: number;
  /** Share of 1 s mid returns beyond 2 bps in absolute value, %. */
  moves1sOver2BpsPct: number;
  /** Excess kurtosis of 1 s mid returns. */
  kurtosis1s: number;
  /** Median absolute 1 s mid move, ticks. */
  midMove1sTicksP50: number;
  mid: number;
}

const quantile = (sorted: number[], q: number): number => (sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);

export class MarketStatsSink implements FeedSink {
  private readonly want: string;
  private symbolId = -1;
  private tick = 0;
  private lot = 0;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private firstTs = NaN;
  private lastTs = NaN;
  private nextSampleTs = NaN;
  private nextSecondTs = NaN;
  private readonly sampleNs: number;
  private readonly spreads: number[] = [];
  private readonly levelSums = [0, 0, 0, 0, 0];
  private readonly levelCounts = [0, 0, 0, 0, 0];
  private within10 = 0;
  private sides = 0;
  private readonly tradeQtys: number[] = [];
  private readonly mids1s: number[] = [];

  constructor(symbol: string, sampleMs = 100) {
    this.want = symbol;
    this.sampleNs = sampleMs * 1e6;
  }

  instrument(def: InstrumentDefinition): void {
    if (def.symbol !== this.want) return;
    this.symbolId = def.symbolId;
    this.tick = Number(def.tickSize);
    this.lot = Number(def.lotSize);
  }

  snapshot(symbolId: number, _seq: number, ts: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    if (symbolId !== this.symbolId) return;
    this.seen(ts);
    this.bids.clear();
    this.asks.clear();
    for (let i = 0; i < nBids; i++) if (bids[2 * i + 1]! > 0) this.bids.set(bids[2 * i]!, bids[2 * i + 1]!);
    for (let i = 0; i < nAsks; i++) if (asks[2 * i + 1]! > 0) this.asks.set(asks[2 * i]!, asks[2 * i + 1]!);
  }

  levelSet(symbolId: number, _seq: number, ts: number, side: SideCode, tick: number, qty: number): void {
    if (symbolId !== this.symbolId) return;
    this.seen(ts);
    const m = side === 0 ? this.bids : this.asks;
    if (qty > 0) m.set(tick, qty); else m.delete(tick);
  }

  levelChange(symbolId: number, _seq: number, ts: number, side: SideCode, tick: number, delta: number): void {
    if (symbolId !== this.symbolId) return;
    this.seen(ts);
    const m = side === 0 ? this.bids : this.asks;
    const q = (m.get(tick) ?? 0) + delta;
    if (q > 0) m.set(tick, q); else m.delete(tick);
  }

  trade(symbolId: number, _seq: number, ts: number, _aggr: SideCode, _tick: number, qty: number): void {
    if (symbolId !== this.symbolId) return;
    this.seen(ts);
    this.tradeQtys.push(qty * this.lot);
  }

  heartbeat(): void { /* nothing */ }

  endOfBatch(): void { /* samples are taken when time moves on (seen) */ }

  /**
   * Samples the book as it stood at each sampleMs boundary: when a message of a later
   * time arrives, before it is applied (so a sample never sees half of a batch).
   */
  private sample(): void {
    if (this.bids.size === 0 || this.asks.size === 0) return;
    const b = this.sorted(this.bids, true);
    const a = this.sorted(this.asks, false);
    if (b[0]! >= a[0]!) return; // crossed: not a sample
    this.spreads.push(a[0]! - b[0]!);
    for (const [keys, m, sign] of [[b, this.bids, -1], [a, this.asks, 1]] as const) {
      for (let i = 0; i < 5 && i < keys.length; i++) {
        this.levelSums[i]! += m.get(keys[i]!)! * this.lot;
        this.levelCounts[i]!++;
      }
      let n = 0;
      for (const k of keys) { if ((k - keys[0]!) * sign > 10) break; n++; }
      this.within10 += n;
      this.sides++;
    }
    if (this.nextSampleTs >= this.nextSecondTs) { // a whole second: one mid
      this.nextSecondTs += 1e9;
      this.mids1s.push((a[0]! + b[0]!) / 2);
    }
  }

  private seen(ts: number): void {
    if (Number.isNaN(this.firstTs)) {
      this.firstTs = ts;
      this.lastTs = ts;
      this.nextSampleTs = ts + this.sampleNs;
      this.nextSecondTs = ts + 1e9;
      return;
    }
    while (ts > this.nextSampleTs) { // the book now is the book of every boundary passed
      this.sample();
      this.nextSampleTs += this.sampleNs;
    }
    if (ts > this.lastTs) this.lastTs = ts;
  }

  /** The best 64 prices of a side, best first. */
  private sorted(m: Map<number, number>, desc: boolean): number[] {
    const keys = [...m.keys()];
    keys.sort((x, y) => (desc ? y - x : x - y));
    return keys.length > 64 ? keys.slice(0, 64) : keys;
  }

  result(): MarketStats {
    const seconds = (this.lastTs - this.firstTs) / 1e9;
    const sp = [...this.spreads].sort((x, y) => x - y);
    const tq = [...this.tradeQtys].sort((x, y) => x - y);
    const rets: number[] = [];
    const moves: number[] = [];
    for (let i = 1; i < this.mids1s.length; i++) {
      rets.push(1e4 * Math.log(this.mids1s[i]! / this.mids1s[i - 1]!));
      moves.push(Math.abs(this.mids1s[i]! - this.mids1s[i - 1]!));
    }
    const mean = rets.reduce((s, x) => s + x, 0) / Math.max(1, rets.length);
    const vol = Math.sqrt(rets.reduce((s, x) => s + (x - mean) ** 2, 0) / Math.max(1, rets.length - 1));
    moves.sort((x, y) => x - y);
    const r10: number[] = [];
    for (let i = 10; i < this.mids1s.length; i += 10) r10.push(1e4 * Math.log(this.mids1s[i]! / this.mids1s[i - 10]!));
    const m10 = r10.reduce((s, x) => s + x, 0) / Math.max(1, r10.length);
    const vol10 = Math.sqrt(r10.reduce((s, x) => s + (x - m10) ** 2, 0) / Math.max(1, r10.length - 1) / 10);
    const m4 = rets.reduce((s, x) => s + (x - mean) ** 4, 0) / Math.max(1, rets.length);
    const sum = (xs: number[]): number => xs.reduce((s, x) => s + x, 0);
    const lastMid = this.mids1s.length > 0 ? this.mids1s[this.mids1s.length - 1]! * this.tick : NaN;
    return {
      symbol: this.want,
      seconds,
      samples: sp.length,
      spreadTicks: {
        p10: quantile(sp, 0.1), p50: quantile(sp, 0.5), p90: quantile(sp, 0.9), mean: sum(sp) / sp.length,
        oneTickPct: (100 * sp.filter((x) => x <= 1).length) / sp.length,
      },
      levelQty: this.levelSums.map((s, i) => s / Math.max(1, this.levelCounts[i]!)),
      levelsWithin10Ticks: this.within10 / Math.max(1, this.sides),
      tradesPerS: tq.length / seconds,
      volumePerS: sum(tq) / seconds,
      tradeQty: { p10: quantile(tq, 0.1), p50: quantile(tq, 0.5), p90: quantile(tq, 0.9), p99: quantile(tq, 0.99), mean: sum(tq) / tq.length },
      midVolBpsPerSqrtS: vol,
      midVol10sBpsPerSqrtS: vol10,
      moves1sOver2BpsPct: (100 * rets.filter((x) => Math.abs(x) > 2).length) / Math.max(1, rets.length),
      kurtosis1s: m4 / vol ** 4 - 3,
      midMove1sTicksP50: quantile(moves, 0.5),
      mid: lastMid,
    };
  }
}
