// The simulator's BTCUSDT against the real Binance spot BTCUSDT recording (2024-08-08,
// test/fixtures/binance), both measured by the same MarketStatsSink: spread in ticks,
// size at the touch and behind it, levels near the touch, trade rate and sizes, and the
// mid's 1 s volatility with its bursts. The simulated side is the ranging regime (no
// regime switches) over 20 minutes, and the high-volatility regime for the volatility's
// upper end; docs/simulator.md "Calibration" has the full table.
import { describe, expect, it } from 'vitest';
import { replaySource } from '../src/feed/replay/market-source.js';
import { openMarketSource } from '../src/feed/replay/source-options.js';
import { MarketSimulator, MarketStatsSink, type MarketStats } from '../src/feed/sim/index.js';

async function real(): Promise<MarketStats> {
  const src = await openMarketSource({ kind: 'binance', path: 'test/fixtures/binance/spot_btcusdt_20240808.gz', market: undefined, durationS: undefined });
  const sink = new MarketStatsSink('BTCUSDT');
  await replaySource(src, sink);
  return sink.result();
}

function simulated(seconds: number, seed: number, initial: 'ranging' | 'high_volatility' = 'ranging'): MarketStats {
  const sim = new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT', regimes: { initial, switching: false } }] }, seed);
  const sink = new MarketStatsSink('BTCUSDT');
  sim.start(sink);
  sim.advanceTo(sim.startTsNs + seconds * 1e9, sink);
  return sink.result();
}

const within = (x: number, ref: number, lo: number, hi: number): void => {
  expect(x / ref).toBeGreaterThan(lo);
  expect(x / ref).toBeLessThan(hi);
};

describe('BTCUSDT calibration against the real recording', () => {
  it('spread, depth, trades and volatility match Binance spot BTCUSDT', async () => {
    const r = await real();
    const s = simulated(1200, 1);
    // the recording itself: a one-tick market with ~2 BTC at the touch, bursty 1.1 bps/sqrt(s)
    expect(r.spreadTicks.p50).toBe(1);
    expect(r.levelQty[0]).toBeGreaterThan(1);
    expect(r.midVolBpsPerSqrtS).toBeGreaterThan(0.9);
    expect(r.midVolBpsPerSqrtS).toBeLessThan(1.5);

    // spread: one tick nearly all the time
    expect(s.spreadTicks.p50).toBe(1);
    expect(s.spreadTicks.p90).toBeLessThanOrEqual(2);
    expect(s.spreadTicks.oneTickPct).toBeGreaterThan(90);
    // depth near the touch: a large touch, ~0.1-0.3 BTC a level behind it, about two levels in 10 ticks
    within(s.levelQty[0]!, r.levelQty[0]!, 0.5, 2);
    for (let i = 1; i < 5; i++) within(s.levelQty[i]!, r.levelQty[i]!, 0.5, 3);
    within(s.levelsWithin10Ticks, r.levelsWithin10Ticks, 0.7, 1.5);
    // trades: rate, median size, mean size (heavy tail)
    within(s.tradesPerS, r.tradesPerS, 0.75, 1.33);
    within(s.tradeQty.p50, r.tradeQty.p50, 0.5, 2);
    within(s.tradeQty.mean, r.tradeQty.mean, 0.5, 2);
    within(s.volumePerS, r.volumePerS, 0.5, 2);
    // volatility: the recorded window (a high-volatility day) lies between the calm ranging
    // regime (~0.85 bps/sqrt(s), BTC's typical ~47 % a year) and the high-volatility regime;
    // in both the price moves in bursts (fat-tailed 1 s returns), as recorded
    const hv = simulated(600, 1, 'high_volatility');
    expect(s.midVolBpsPerSqrtS).toBeGreaterThan(0.7);
    expect(s.midVolBpsPerSqrtS).toBeLessThan(r.midVolBpsPerSqrtS);
    expect(hv.midVolBpsPerSqrtS).toBeGreaterThan(r.midVolBpsPerSqrtS);
    expect(hv.midVolBpsPerSqrtS).toBeLessThan(2.5);
    expect(s.moves1sOver2BpsPct).toBeLessThan(r.moves1sOver2BpsPct);
    expect(hv.moves1sOver2BpsPct).toBeGreaterThan(r.moves1sOver2BpsPct);
    expect(s.kurtosis1s).toBeGreaterThan(5);
    expect(hv.kurtosis1s).toBeGreaterThan(3);
  }, 60_000);
});
