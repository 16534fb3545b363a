// Same configuration and seed: the identical sequence of sink calls, however time is
// sliced (one big advance, fixed steps, event by event). Another seed: another market.
// The fair-price path depends only on the price and regime settings, not on the flow.
import { describe, it, expect } from 'vitest';
import type { FeedSink, InstrumentDefinition, SideCode } from '../src/feed/feed-sink.js';
import { MarketSimulator, Rng, type SimConfigInput } from '../src/feed/sim/index.js';

/** Folds every call and argument into a 64-bit FNV-1a style digest and counts calls by kind. */
class DigestSink implements FeedSink {
  private h1 = 0x811c9dc5;
  private h2 = 0x01000193;
  calls = 0;
  readonly kinds: Record<string, number> = {};
  first: string[] = [];

  private mix(x: number): void {
    // hash the f64 bits
    f64[0] = x;
    for (let i = 0; i < 2; i++) {
      this.h1 = Math.imul(this.h1 ^ u32[i]!, 0x01000193);
      this.h2 = Math.imul(this.h2 ^ u32[i]!, 0x85ebca6b) ^ (this.h2 >>> 13);
    }
  }
  private call(kind: string, ...args: number[]): void {
    this.calls++;
    this.kinds[kind] = (this.kinds[kind] ?? 0) + 1;
    this.mix(kind.charCodeAt(0) * 31 + kind.length);
    for (const a of args) this.mix(a);
    if (this.first.length < 200) this.first.push(`${kind} ${args.join(' ')}`);
  }
  get digest(): string { return `${(this.h1 >>> 0).toString(16)}:${(this.h2 >>> 0).toString(16)}:${this.calls}`; }

  instrument(d: InstrumentDefinition): void { this.call('instrument', d.symbolId, d.resolutionTsNs, d.symbol.length); }
  snapshot(id: number, seq: number, ts: number, b: Float64Array, nb: number, a: Float64Array, na: number): void {
    this.call('snapshot', id, seq, ts, nb, na, ...b.subarray(0, 2 * nb), ...a.subarray(0, 2 * na));
  }
  levelSet(id: number, seq: number, ts: number, side: SideCode, tick: number, qty: number): void { this.call('levelSet', id, seq, ts, side, tick, qty); }
  levelChange(id: number, seq: number, ts: number, side: SideCode, tick: number, d: number): void { this.call('levelChange', id, seq, ts, side, tick, d); }
  trade(id: number, seq: number, ts: number, ag: SideCode, tick: number, qty: number, tid: number): void { this.call('trade', id, seq, ts, ag, tick, qty, tid); }
  heartbeat(ts: number): void { this.call('heartbeat', ts); }
  endOfBatch(send: number): void { this.call('endOfBatch', send); }
}
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

const SECONDS = 120;

function bulk(config: SimConfigInput, seed: number, seconds = SECONDS): DigestSink {
  const sim = new MarketSimulator(config, seed);
  const sink = new DigestSink();
  sim.start(sink);
  sim.advanceTo(sim.startTsNs + seconds * 1e9, sink);
  return sink;
}

describe('simulator determinism', () => {
  it('same seed and config: identical call sequences', () => {
    const a = bulk({}, 42);
    const b = bulk({}, 42);
    expect(a.calls).toBeGreaterThan(50_000);
    expect(a.first).toEqual(b.first);
    expect(a.kinds).toEqual(b.kinds);
    expect(a.digest).toBe(b.digest);
  });

  it('a different seed gives a different market', () => {
    const a = bulk({}, 42);
    const c = bulk({}, 43);
    expect(c.digest).not.toBe(a.digest);
    // the definitions and the first snapshot's grid are the same, the flow is not
    expect(c.first.slice(0, 3)).toEqual(a.first.slice(0, 3));
  });

  it('slicing time does not matter: fixed 7 ms steps, and event by event via nextEventTsNs', () => {
    const ref = bulk({}, 7, 30);
    const paced = new MarketSimulator({}, 7);
    const sinkPaced = new DigestSink();
    paced.start(sinkPaced);
    const end = paced.startTsNs + 30e9;
    for (let t = paced.startTsNs; t < end;) {
      t = Math.min(end, t + 7e6);
      paced.advanceTo(t, sinkPaced);
    }
    expect(sinkPaced.digest).toBe(ref.digest);

    const stepwise = new MarketSimulator({}, 7);
    const sinkStep = new DigestSink();
    stepwise.start(sinkStep);
    let steps = 0;
    while (stepwise.nextEventTsNs() <= end) {
      const n = stepwise.advanceTo(stepwise.nextEventTsNs(), sinkStep);
      expect(n).toBeGreaterThanOrEqual(1);
      steps++;
    }
    expect(steps).toBeGreaterThan(1000);
    expect(sinkStep.digest).toBe(ref.digest);
  });

  it('advanceTo returns 0 and sends nothing when no event is due; time never runs backwards', () => {
    const sim = new MarketSimulator({}, 1);
    const sink = new DigestSink();
    sim.start(sink);
    const next = sim.nextEventTsNs();
    expect(next).toBeGreaterThan(sim.startTsNs);
    const calls = sink.calls;
    expect(sim.advanceTo(next - 1e6, sink)).toBe(0);
    expect(sink.calls).toBe(calls);
    let last = 0;
    const watch: FeedSink = {
      ...sink,
      instrument: () => {}, snapshot: () => {}, levelSet: () => {}, heartbeat: () => {}, endOfBatch: () => {},
      levelChange: (_i, _s, ts) => { expect(ts).toBeGreaterThanOrEqual(last); last = ts; },
      trade: (_i, _s, ts) => { expect(ts).toBeGreaterThanOrEqual(last); last = ts; },
    };
    sim.advanceTo(sim.startTsNs + 5e9, watch);
    expect(last).toBeGreaterThan(sim.startTsNs);
    expect(last).toBeLessThanOrEqual(sim.startTsNs + 5e9);
  });

  it('the fair-price path does not depend on the order flow or book settings', () => {
    const fairAfter = (flowRate: number, levels: number): number[] => {
      const sim = new MarketSimulator({
        instruments: [
          { symbol: 'BTCUSDT', flow: { baseRatePerS: flowRate }, book: { minLevelsPerSide: levels, levelsPerSide: levels } },
          { symbol: 'BTC-100K-YES', flow: { baseRatePerS: flowRate / 10 } },
        ],
      }, 5);
      const sink = new DigestSink();
      sim.start(sink);
      sim.advanceTo(sim.startTsNs + 300e9, sink);
      return [sim.symbol('BTCUSDT')!.fairTick, sim.symbol('BTC-100K-YES')!.fairTick];
    };
    expect(fairAfter(20, 20)).toEqual(fairAfter(200, 30));
  });

  it('Rng: uniform() is two xoshiro128** steps (27 + 26 bits); streams under one seed differ', () => {
    const a = new Rng(123, 4);
    const b = new Rng(123, 4);
    for (let i = 0; i < 1000; i++) {
      const hi = b.nextU32() >>> 5;
      const lo = b.nextU32() >>> 6;
      expect(a.uniform()).toBe((hi * 67108864 + lo) / 2 ** 53);
    }
    expect(new Rng(123, 5).uniform()).not.toBe(new Rng(123, 4).uniform());
    expect(new Rng(124, 4).uniform()).not.toBe(new Rng(123, 4).uniform());
    // moments of the derived draws
    const r = new Rng(9, 0);
    let s1 = 0;
    let s2 = 0;
    let e = 0;
    const n = 200_000;
    for (let i = 0; i < n; i++) { const z = r.normal(); s1 += z; s2 += z * z; e += r.exp(); }
    expect(Math.abs(s1 / n)).toBeLessThan(0.01);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.01);
    expect(Math.abs(e / n - 1)).toBeLessThan(0.01);
  });
});
