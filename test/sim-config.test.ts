// Simulator configuration: defaults, merging of partial settings, and clear
// SPREADCORE_ERR_BAD_PARAM errors naming the field for every bad value.
import { describe, it, expect } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { MarketSimulator, resolveSimConfig, effectiveSigmaBpsPerSqrtS, DEFAULT_START_TS_NS, type SimConfigInput } from '../src/feed/sim/index.js';
import type { FeedSink } from '../src/feed/feed-sink.js';

function badParam(f: () => unknown, field: RegExp): void {
  let err: unknown;
  try { f(); } catch (e) { err = e; }
  expect(err, 'expected an error').toBeInstanceOf(SpreadcoreError);
  expect((err as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_PARAM');
  expect((err as SpreadcoreError).message).toMatch(field);
}

const NULL_SINK: FeedSink = {
  instrument() {}, snapshot() {}, levelSet() {}, levelChange() {}, trade() {}, heartbeat() {}, endOfBatch() {},
};

describe('simulator configuration', () => {
  it('defaults: BTCUSDT, ETHUSDT and a binary YES contract', () => {
    const c = resolveSimConfig();
    expect(c.startTsNs).toBe(DEFAULT_START_TS_NS);
    expect(c.instruments.map((i) => [i.symbolId, i.symbol, i.kind, i.tickSize, i.lotSize, i.initialPrice])).toEqual([
      [1, 'BTCUSDT', 'spot', '0.01', '0.00001', '50000'],
      [2, 'ETHUSDT', 'spot', '0.01', '0.0001', '3000'],
      [3, 'BTC-100K-YES', 'binary', '0.01', '1', '0.35'],
    ]);
    const bin = c.instruments[2]!;
    expect([bin.minPrice, bin.maxPrice]).toEqual(['0.01', '0.99']);
    // the pricing reference defaults to the regimes' long-run diffusion (jumps and busy regimes included)
    expect(bin.referenceSigmaBpsPerSqrtS).toBeCloseTo(effectiveSigmaBpsPerSqrtS(bin.regimes), 10);
    expect(bin.referenceSigmaBpsPerSqrtS).toBeGreaterThan(bin.regimes.params.ranging.sigmaBpsPerSqrtS);
    expect(resolveSimConfig({ instruments: [{ symbol: 'BTC-100K-YES', regimes: { switching: false } }] }).instruments[0]!
      .referenceSigmaBpsPerSqrtS).toBe(bin.regimes.params.ranging.sigmaBpsPerSqrtS);
    expect(resolveSimConfig({ instruments: [{ symbol: 'BTC-100K-YES', referenceSigmaBpsPerSqrtS: 7 }] }).instruments[0]!
      .referenceSigmaBpsPerSqrtS).toBe(7);
    expect(c.instruments[0]!.book.levelsPerSide).toBeGreaterThanOrEqual(20);
  });

  it('partial settings merge onto the defaults; other symbols take their kind\'s preset; ids are assigned', () => {
    const c = resolveSimConfig({
      instruments: [
        { symbol: 'BTCUSDT', regimes: { params: { ranging: { sigmaBpsPerSqrtS: 0.9 } } }, book: { touchHalfSpreadTicks: 2 } },
        { symbol: 'SOLUSDT', kind: 'perp', initialPrice: '150', lotSize: '0.01' },
        { symbol: 'ETH-5K-YES', kind: 'binary', initialPrice: '0.2', symbolId: 1 },
      ],
    });
    const [btc, sol, eth] = c.instruments;
    expect(btc!.regimes.params.ranging.sigmaBpsPerSqrtS).toBe(0.9);
    expect(btc!.regimes.params.ranging.meanReversionPerS).toBeGreaterThan(0); // untouched fields keep their defaults
    expect(btc!.regimes.params.news.sigmaBpsPerSqrtS).toBeGreaterThan(0.9);
    expect(btc!.book.touchHalfSpreadTicks).toBe(2);
    expect(btc!.book.levelsPerSide).toBe(25);
    expect(sol!.kind).toBe('perp');
    expect(sol!.initialPrice).toBe('150');
    expect(eth!.kind).toBe('binary');
    expect(eth!.symbolId).toBe(1);
    expect(new Set(c.instruments.map((i) => i.symbolId)).size).toBe(3);
    expect(btc!.symbolId).not.toBe(1);
    // and it runs
    const sim = new MarketSimulator({ instruments: [{ symbol: 'SOLUSDT', kind: 'perp', initialPrice: '150' }] }, 1);
    sim.start(NULL_SINK);
    expect(sim.advanceTo(sim.startTsNs + 10e9, NULL_SINK)).toBeGreaterThan(100);
  });

  const cases: [string, SimConfigInput, RegExp][] = [
    ['negative sigma', { instruments: [{ symbol: 'BTCUSDT', regimes: { params: { ranging: { sigmaBpsPerSqrtS: -1 } } } }] }, /ranging\.sigmaBpsPerSqrtS must be >= 0/],
    ['NaN drift', { instruments: [{ symbol: 'BTCUSDT', regimes: { params: { trending_up: { driftBpsPerS: NaN } } } }] }, /driftBpsPerS/],
    ['zero tick', { instruments: [{ symbol: 'BTCUSDT', tickSize: '0' }] }, /tickSize must be a positive decimal/],
    ['malformed lot', { instruments: [{ symbol: 'BTCUSDT', lotSize: '1e-5' }] }, /lotSize/],
    ['unknown kind', { instruments: [{ symbol: 'X', kind: 'option' as 'spot' }] }, /kind must be one of spot, perp, binary/],
    ['branching ratio 1', { instruments: [{ symbol: 'BTCUSDT', flow: { branchingRatio: 1 } }] }, /branchingRatio must be in \[0, 1\)/],
    ['branching ratio 1.5', { instruments: [{ symbol: 'BTCUSDT', flow: { branchingRatio: 1.5 } }] }, /branchingRatio/],
    ['zero flow rate', { instruments: [{ symbol: 'BTCUSDT', flow: { baseRatePerS: 0 } }] }, /baseRatePerS must be > 0/],
    ['initial price off the grid', { instruments: [{ symbol: 'BTCUSDT', initialPrice: '50000.001' }] }, /initialPrice must be a decimal string on the tick grid/],
    ['binary price of 1', { instruments: [{ symbol: 'BTC-100K-YES', initialPrice: '1' }] }, /strictly between 0 and 1/],
    ['binary bounds inverted', { instruments: [{ symbol: 'BTC-100K-YES', minPrice: '0.9', maxPrice: '0.1' }] }, /minPrice/],
    ['resolution before start', { startTsNs: 1e18, instruments: [{ symbol: 'BTC-100K-YES', resolutionTsNs: 5e17 }] }, /resolutionTsNs must be after startTsNs/],
    ['resolution on a spot symbol', { instruments: [{ symbol: 'BTCUSDT', resolutionTsNs: 5e18 }] }, /binary contracts only/],
    ['unknown regime', { instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'calm' as 'news' } }] }, /initial must be one of ranging/],
    ['dead-end regime', { instruments: [{ symbol: 'BTCUSDT', regimes: { transitions: { news: { high_volatility: 0, ranging: 0 } } } }] }, /transitions\.news needs a positive weight/],
    ['min levels above levels', { instruments: [{ symbol: 'BTCUSDT', book: { minLevelsPerSide: 30 } }] }, /levelsPerSide must be an integer >= 30/],
    ['pickoff probability 2', { instruments: [{ symbol: 'BTCUSDT', book: { pickoffProbability: 2 } }] }, /pickoffProbability must be in \[0, 1\]/],
    ['zero mean duration', { instruments: [{ symbol: 'BTCUSDT', regimes: { params: { news: { meanDurationS: 0 } } } }] }, /news\.meanDurationS must be > 0/],
    ['duplicate symbol id', { instruments: [{ symbol: 'BTCUSDT', symbolId: 4 }, { symbol: 'ETHUSDT', symbolId: 4 }] }, /symbolId 4 is used twice/],
    ['duplicate symbol', { instruments: [{ symbol: 'BTCUSDT' }, { symbol: 'BTCUSDT' }] }, /BTCUSDT is used twice/],
    ['no instruments', { instruments: [] }, /non-empty array/],
    ['negative heartbeat', { heartbeatIntervalMs: -5 }, /heartbeatIntervalMs must be >= 0/],
    ['zero mid step', { instruments: [{ symbol: 'ETHUSDT', midStepMs: 0 }] }, /midStepMs must be > 0/],
  ];
  for (const [name, input, field] of cases) {
    it(`refuses ${name}`, () => badParam(() => new MarketSimulator(input, 1), field));
  }

  it('refuses a non-integer seed, and advancing or re-starting out of order', () => {
    badParam(() => new MarketSimulator({}, 1.5), /seed must be a safe integer/);
    const sim = new MarketSimulator({}, 1);
    badParam(() => sim.advanceTo(sim.startTsNs + 1e9, NULL_SINK), /call start\(sink\) before advancing/);
    sim.start(NULL_SINK);
    badParam(() => sim.start(NULL_SINK), /already started/);
    badParam(() => sim.advanceTo(NaN, NULL_SINK), /finite time/);
    badParam(() => sim.advanceTo(Infinity, NULL_SINK), /finite time/);
  });
});
