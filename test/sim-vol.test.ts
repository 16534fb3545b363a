// Regime statistics, measured on what the engine sees: the WASM book's mid through
// FeedIngest, sampled once a simulated second, with regime switching off.
//  - realized volatility of mid log-returns ~ the regime's sigma (bps/sqrt(s)),
//    and the WASM rolling 60 s volatility ~ sigma * sqrt(60);
//  - a trending regime's mean return ~ its drift;
//  - the news regime's jumps: count ~ rate * T, variance ~ (sigma^2 + rate * J^2) * T.
import { describe, it, expect } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { MarketSimulator, type RegimeName, type RegimeParams } from '../src/feed/sim/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmVol } from '../src/wasm/vol-api.js';

const core = instantiateCore('debug');
const books = new WasmBooks(core);
const vol = new WasmVol(core);

interface Measured { returnsBps: number[]; rollingBps: number[]; sim: MarketSimulator }

function measure(regime: RegimeName, params: Partial<RegimeParams>, seconds: number, seed: number, symbol = 'BTCUSDT'): Measured {
  const sim = new MarketSimulator({
    heartbeatIntervalMs: 0,
    instruments: [{ symbol, regimes: { initial: regime, switching: false, params: { [regime]: params } } }],
  }, seed);
  const ingest = new FeedIngest(books);
  sim.start(ingest);
  const s = ingest.bySymbolName(symbol)!;
  vol.configure(s.book, { windowUs: 60_000_000 });
  const returnsBps: number[] = [];
  const rollingBps: number[] = [];
  let prev = books.midTick(s.book);
  for (let k = 1; k <= seconds; k++) {
    const ts = sim.startTsNs + k * 1e9;
    sim.advanceTo(ts, ingest);
    const mid = books.midTick(s.book);
    returnsBps.push(1e4 * Math.log(mid / prev));
    prev = mid;
    vol.update(s.book, (ts - sim.startTsNs) / 1e3, mid);
    if (k > 60) rollingBps.push(vol.rollingBps(s.book));
  }
  const c = s.counters;
  expect([c.gaps, c.rejected, c.crossedBatches]).toEqual([0, 0, 0]);
  return { returnsBps, rollingBps, sim };
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const rms = (xs: number[]): number => Math.sqrt(mean(xs.map((x) => x * x)));

describe('regime volatility', () => {
  const T = 1200;
  // relative standard error of a realized vol from T returns: 1 / sqrt(2T) ~ 2 %
  for (const [regime, sigma, symbol] of [['ranging', 0.5, 'BTCUSDT'], ['high_volatility', 2, 'BTCUSDT'], ['ranging', 0.7, 'ETHUSDT']] as const) {
    it(`${symbol} ${regime} at ${sigma} bp/sqrt(s): realized vol of 1 s book-mid returns within 8 %`, () => {
      const m = measure(regime, { sigmaBpsPerSqrtS: sigma, entryJumpSigmaBps: 0, jumpRatePerS: 0 }, T, 21, symbol);
      const realized = rms(m.returnsBps); // per sqrt(1 s)
      expect(realized / sigma).toBeGreaterThan(0.92);
      expect(realized / sigma).toBeLessThan(1.08);
      // the engine's own estimator agrees: rolling 60 s vol ~ sigma * sqrt(60)
      const rolling = Math.sqrt(mean(m.rollingBps.map((v) => v * v)));
      expect(rolling / (sigma * Math.sqrt(60))).toBeGreaterThan(0.85);
      expect(rolling / (sigma * Math.sqrt(60))).toBeLessThan(1.15);
    });
  }

  it('trending_up with drift 0.5 bp/s: mean return within 15 % of the drift', () => {
    const m = measure('trending_up', { sigmaBpsPerSqrtS: 0.5, driftBpsPerS: 0.5 }, T, 4);
    // the sum has sd 0.5 * sqrt(1200) ~ 17 bps against 600 bps of drift
    expect(mean(m.returnsBps) / 0.5).toBeGreaterThan(0.85);
    expect(mean(m.returnsBps) / 0.5).toBeLessThan(1.15);
  });

  it('trending_down moves the price down', () => {
    const m = measure('trending_down', { sigmaBpsPerSqrtS: 0.5, driftBpsPerS: -0.5 }, 600, 4);
    expect(mean(m.returnsBps)).toBeLessThan(-0.35);
  });

  it('ranging mean reversion pulls the price back towards where the regime began', () => {
    // kappa = 1/20 s: the spread of the level stays ~ sigma * sqrt(1 / (2 kappa)) ~ 1.6 bps instead of growing with sqrt(t)
    // (without BTCUSDT's default small jumps: this checks the diffusion's Ornstein-Uhlenbeck pull)
    const m = measure('ranging', { sigmaBpsPerSqrtS: 0.5, meanReversionPerS: 1 / 20, jumpRatePerS: 0 }, 600, 8);
    let level = 0;
    let maxAbs = 0;
    for (const r of m.returnsBps) { level += r; maxAbs = Math.max(maxAbs, Math.abs(level)); }
    expect(maxAbs).toBeLessThan(8); // a free walk would wander ~0.5 * sqrt(600) ~ 12 bps
  });

  it('news: jumps at the configured rate, adding rate * J^2 to the variance', () => {
    const rate = 0.5;
    const jumpBps = 10;
    const sigma = 1;
    const m = measure('news', { sigmaBpsPerSqrtS: sigma, jumpRatePerS: rate, jumpSigmaBps: jumpBps, entryJumpSigmaBps: 0 }, 600, 17);
    const jumps = m.sim.symbol('BTCUSDT')!.stats.jumps;
    expect(Math.abs(jumps - rate * 600)).toBeLessThan(5 * Math.sqrt(rate * 600));
    const variance = mean(m.returnsBps.map((x) => x * x));
    const expected = sigma * sigma + rate * jumpBps * jumpBps;
    expect(variance / expected).toBeGreaterThan(0.75);
    expect(variance / expected).toBeLessThan(1.3);
    // fat tails: kurtosis of 1 s returns well above the normal 3
    const m4 = mean(m.returnsBps.map((x) => x ** 4));
    expect(m4 / (variance * variance)).toBeGreaterThan(4);
  });
});
