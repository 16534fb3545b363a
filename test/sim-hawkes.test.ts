// Order-flow clock and regime chain statistics.
//  - Hawkes (exponential kernel, exact simulation): the empirical rate matches the
//    stationary rate mu / (1 - n); counts are over-dispersed by ~1 / (1 - n)^2 over
//    windows much longer than the kernel; n = 0 is a Poisson process (dispersion ~1).
//  - Through the simulator: flow events per second ~ mu * flowMultiplier / (1 - n).
//  - The regime chain's time shares match its stationary distribution.
import { describe, it, expect } from 'vitest';
import { HawkesClock, MarketSimulator, REGIME_NAMES, RegimeChain, Rng, cryptoRegimes } from '../src/feed/sim/index.js';
import type { FeedSink } from '../src/feed/feed-sink.js';

function counts(mu: number, n: number, beta: number, seconds: number, windowS: number, seed: number): number[] {
  const clock = new HawkesClock(mu, n, beta);
  const rng = new Rng(seed, 0);
  clock.reschedule(0, rng);
  const out = new Array<number>(Math.floor(seconds / windowS)).fill(0);
  while (clock.nextS < seconds) {
    const w = Math.floor(clock.nextS / windowS);
    if (w < out.length) out[w]!++;
    clock.fire(rng);
  }
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const variance = (xs: number[]): number => { const m = mean(xs); return mean(xs.map((x) => (x - m) ** 2)); };

const NULL_SINK: FeedSink = {
  instrument() {}, snapshot() {}, levelSet() {}, levelChange() {}, trade() {}, heartbeat() {}, endOfBatch() {},
};

describe('Hawkes order-flow clock', () => {
  for (const [mu, n, beta] of [[50, 0.5, 20], [10, 0.8, 5], [100, 0.3, 50]] as const) {
    it(`mu ${mu}/s, branching ${n}, decay ${beta}/s: rate ~ mu/(1-n), dispersion ~ 1/(1-n)^2`, () => {
      const seconds = 4000;
      const c = counts(mu, n, beta, seconds, 10, 3);
      const rate = mean(c) / 10;
      const stationary = mu / (1 - n);
      // sd of the mean rate ~ sqrt(rate / T) / (1 - n): well under 2 % here
      expect(rate / stationary).toBeGreaterThan(0.96);
      expect(rate / stationary).toBeLessThan(1.04);
      const dispersion = variance(c) / mean(c);
      const expected = 1 / (1 - n) ** 2;
      expect(dispersion / expected).toBeGreaterThan(0.75);
      expect(dispersion / expected).toBeLessThan(1.25);
      expect(new HawkesClock(mu, n, beta).stationaryRatePerS).toBeCloseTo(stationary, 10);
    });
  }

  it('branching 0 is a Poisson process: dispersion ~ 1', () => {
    const c = counts(40, 0, 10, 4000, 10, 5);
    expect(mean(c) / 400).toBeGreaterThan(0.97);
    expect(mean(c) / 400).toBeLessThan(1.03);
    expect(variance(c) / mean(c)).toBeGreaterThan(0.8);
    expect(variance(c) / mean(c)).toBeLessThan(1.2);
  });

  it('the intensity jumps by alpha = n * beta at each event and decays back to mu', () => {
    const clock = new HawkesClock(10, 0.5, 4);
    const rng = new Rng(1, 0);
    clock.reschedule(0, rng);
    const t = clock.nextS;
    clock.fire(rng);
    expect(clock.intensityAt(t)).toBeCloseTo(10 + 2, 10);
    expect(clock.intensityAt(t + 0.25)).toBeCloseTo(10 + 2 * Math.exp(-1), 10);
    expect(clock.intensityAt(t + 100)).toBeCloseTo(10, 10);
  });

  it('the simulator\'s flow runs at the stationary rate of its configured clock', () => {
    const sim = new MarketSimulator({
      heartbeatIntervalMs: 0,
      instruments: [{
        symbol: 'ETHUSDT',
        flow: { baseRatePerS: 30, branchingRatio: 0.7, decayPerS: 10 },
        regimes: { initial: 'high_volatility', switching: false, params: { high_volatility: { flowMultiplier: 2 } } },
      }],
    }, 8);
    sim.start(NULL_SINK);
    sim.advanceTo(sim.startTsNs + 2000e9, NULL_SINK);
    const rate = sim.symbol('ETHUSDT')!.stats.flowEvents / 2000;
    const stationary = (30 * 2) / (1 - 0.7);
    expect(rate / stationary).toBeGreaterThan(0.95);
    expect(rate / stationary).toBeLessThan(1.05);
  });
});

describe('regime chain', () => {
  it('time shares match the stationary distribution of the default chain', () => {
    const chain = new RegimeChain(cryptoRegimes(0.5));
    const rng = new Rng(12, 1);
    chain.start(0, rng);
    const time = new Array<number>(REGIME_NAMES.length).fill(0);
    let t = 0;
    while (chain.switches < 200_000) {
      time[chain.current]! += chain.nextSwitchS - t;
      t = chain.nextSwitchS;
      chain.advance(rng);
    }
    const shares = time.map((x) => x / t);
    const expected = chain.stationaryTimeShares();
    expect(expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
    shares.forEach((s, i) => expect(Math.abs(s - expected[i]!), REGIME_NAMES[i]).toBeLessThan(0.01));
    // ranging dominates; news is rare
    expect(expected[0]!).toBeGreaterThan(0.5);
    expect(expected[4]!).toBeLessThan(0.02);
  });

  it('every regime is visited and only allowed transitions happen', () => {
    const config = cryptoRegimes(0.5);
    config.transitions = { ...config.transitions, news: { ranging: 1 } };
    const chain = new RegimeChain(config);
    const rng = new Rng(3, 1);
    chain.start(0, rng);
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const from = chain.name;
      chain.advance(rng);
      expect(chain.name).not.toBe(from);
      if (from === 'news') expect(chain.name).toBe('ranging');
      seen.add(chain.name);
    }
    expect(seen.size).toBe(REGIME_NAMES.length);
  });

  it('with switching off the chain never moves', () => {
    const chain = new RegimeChain({ ...cryptoRegimes(0.5), initial: 'news', switching: false });
    chain.start(0, new Rng(1, 1));
    expect(chain.nextSwitchS).toBe(Infinity);
    expect(chain.name).toBe('news');
  });
});
