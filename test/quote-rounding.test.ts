// Rounding to the tick grid (bids down, asks up, float noise absorbed), strictly
// monotonic levels, and level 0 never locked or crossed.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import * as L from '../src/wasm/layout.js';

const quoter = new WasmQuoter(instantiateCore('debug'));
const ticks = (levels: { tick: number }[]): number[] => levels.map((l) => l.tick);

describe('rounding to the tick', () => {
  it('rounds bids down and asks up', () => {
    quoter.configure(0, { halfSpreadTicks: 0.5, orderSizeLot: 1 });
    const l = quoter.ladder(0, -1, 100.3, 0); // raw 99.8 / 100.8
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([99, 101]);
    const m = quoter.ladder(0, -1, 100.7, 0); // raw 100.2 / 101.2
    expect([m.bids[0]!.tick, m.asks[0]!.tick]).toEqual([100, 102]);
  });

  it('treats float noise around an integer as that integer', () => {
    quoter.configure(1, { halfSpreadTicks: 5, orderSizeLot: 1 });
    const above = quoter.ladder(1, -1, 1000 + 1e-10, 0);
    expect([above.bids[0]!.tick, above.asks[0]!.tick]).toEqual([995, 1005]);
    const below = quoter.ladder(1, -1, 1000 - 1e-10, 0);
    expect([below.bids[0]!.tick, below.asks[0]!.tick]).toEqual([995, 1005]);
  });

  it('absorbs the noise of large prices: 5,000,000 ticks ± a few ulps', () => {
    quoter.configure(2, { halfSpreadBps: 2, levels: 3, levelSpacingBps: 2, orderSizeLot: 1 });
    for (const fair of [5_000_000, 5_000_000 + 2 ** -29, 5_000_000 - 2 ** -29]) {
      const l = quoter.ladder(2, -1, fair, 0);
      expect(ticks(l.bids)).toEqual([4_999_000, 4_998_000, 4_997_000]);
      expect(ticks(l.asks)).toEqual([5_001_000, 5_002_000, 5_003_000]);
    }
  });

  it('every output tick is an integer', () => {
    quoter.configure(3, { halfSpreadBps: 3.3, levels: 8, levelSpacingBps: 1.7, orderSizeLot: 1 });
    const l = quoter.ladder(3, -1, 12_345.678, 0);
    for (const level of [...l.bids, ...l.asks]) expect(Number.isInteger(level.tick)).toBe(true);
  });
});

describe('monotonic levels', () => {
  it('spacing 0 still gives one tick between levels', () => {
    quoter.configure(4, { halfSpreadTicks: 1, levels: 4, orderSizeLot: 1 });
    const l = quoter.ladder(4, -1, 100, 0);
    expect(ticks(l.bids)).toEqual([99, 98, 97, 96]);
    expect(ticks(l.asks)).toEqual([101, 102, 103, 104]);
  });

  it('sub-tick spacing is pushed apart to whole ticks', () => {
    quoter.configure(5, { halfSpreadTicks: 1, levels: 4, levelSpacingTicks: 0.4, orderSizeLot: 1 });
    const l = quoter.ladder(5, -1, 100, 0);
    expect(ticks(l.bids)).toEqual([99, 98, 97, 96]);
    expect(ticks(l.asks)).toEqual([101, 102, 103, 104]);
  });

  it('spacing in ticks takes precedence over bps', () => {
    quoter.configure(6, { halfSpreadTicks: 1, levels: 3, levelSpacingTicks: 5, levelSpacingBps: 1000, orderSizeLot: 1 });
    expect(ticks(quoter.ladder(6, -1, 100, 0).bids)).toEqual([99, 94, 89]);
  });

  it('levels beyond MAX_QUOTE_LEVELS written straight to memory are capped', () => {
    quoter.configure(7, { halfSpreadTicks: 1, levels: 1, orderSizeLot: 1 });
    quoter.core.f64[L.QUOTE_PARAMS_OFFSET / 8 + 7 * L.QUOTE_PARAM_SLOTS + L.QP_LEVELS] = 1000;
    const status = quoter.compute(7, -1, 1000, 0);
    expect(status).toBe(L.MAX_QUOTE_LEVELS | (L.MAX_QUOTE_LEVELS << 8));
  });
});

describe('level 0 is never locked or crossed', () => {
  it('a zero spread on an integer fair value steps one tick out on each side', () => {
    quoter.configure(8, { orderSizeLot: 1 });
    const l = quoter.ladder(8, -1, 100, 0);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([99, 101]);
  });

  it('a zero spread on a fractional fair value brackets it', () => {
    quoter.configure(8, { orderSizeLot: 1 });
    const l = quoter.ladder(8, -1, 100.5, 0);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([100, 101]);
  });

  it('zero per-side multipliers behave the same', () => {
    quoter.configure(9, { halfSpreadTicks: 10, bidSpreadMult: 0, askSpreadMult: 0, levels: 2, orderSizeLot: 1 });
    const l = quoter.ladder(9, -1, 100, 0);
    expect(ticks(l.bids)).toEqual([99, 98]);
    expect(ticks(l.asks)).toEqual([101, 102]);
  });
});
