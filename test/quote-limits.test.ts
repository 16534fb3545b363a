// Hard position limits, post-only against the book, price bounds, full-spread
// clamps, multipliers and level sizes.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';

const core = instantiateCore('debug');
const quoter = new WasmQuoter(core);
const books = new WasmBooks(core);
const ticks = (levels: { tick: number }[]): number[] => levels.map((l) => l.tick);
const sizes = (levels: { qtyLot: number }[]): number[] => levels.map((l) => l.qtyLot);

describe('hard position limit', () => {
  quoter.configure(0, { halfSpreadTicks: 1, levelSpacingTicks: 1, levels: 5, orderSizeLot: 3, maxPositionLot: 10 });

  it('flat: each side may add up to the limit, the last level trimmed', () => {
    const l = quoter.ladder(0, -1, 100, 0);
    expect(sizes(l.bids)).toEqual([3, 3, 3, 1]);
    expect(sizes(l.asks)).toEqual([3, 3, 3, 1]);
    expect(ticks(l.bids)).toEqual([99, 98, 97, 96]);
  });

  it('long 4: bids up to 6 more, asks up to 14', () => {
    const l = quoter.ladder(0, -1, 100, 4);
    expect(sizes(l.bids)).toEqual([3, 3]);
    expect(sizes(l.asks)).toEqual([3, 3, 3, 3, 2]);
    expect(l.flags & (L.QF_BID_HARD_LIMIT | L.QF_ASK_HARD_LIMIT)).toBe(0);
  });

  it('at or beyond +max: no bids and QF_BID_HARD_LIMIT', () => {
    for (const q of [10, 12.5]) {
      const l = quoter.ladder(0, -1, 100, q);
      expect(l.bids).toEqual([]);
      expect(l.asks.length).toBeGreaterThan(0);
      expect(l.flags & L.QF_BID_HARD_LIMIT).toBe(L.QF_BID_HARD_LIMIT);
    }
  });

  it('at or beyond -max: no asks and QF_ASK_HARD_LIMIT', () => {
    const l = quoter.ladder(0, -1, 100, -10);
    expect(l.asks).toEqual([]);
    expect(sizes(l.bids)).toEqual([3, 3, 3, 3, 3]);
    expect(l.flags & L.QF_ASK_HARD_LIMIT).toBe(L.QF_ASK_HARD_LIMIT);
  });

  it('less than one lot of room: no bids (whole lots only)', () => {
    const l = quoter.ladder(0, -1, 100, 9.5);
    expect(l.bids).toEqual([]);
  });

  it('no limit when maxPositionLot is 0', () => {
    quoter.configure(1, { halfSpreadTicks: 1, levels: 3, orderSizeLot: 3 });
    const l = quoter.ladder(1, -1, 100, 1e9);
    expect(sizes(l.bids)).toEqual([3, 3, 3]);
  });
});

describe('post-only', () => {
  const BOOK = 2;
  books.reset(BOOK);
  books.set(BOOK, 0, 100, 5);
  books.set(BOOK, 0, 99, 5);
  books.set(BOOK, 1, 102, 5);
  books.set(BOOK, 1, 103, 5);
  quoter.configure(2, { halfSpreadTicks: 1, levelSpacingTicks: 1, levels: 3, orderSizeLot: 1, postOnly: true });

  it('moves bids that would take the best ask to best ask − 1, keeping the ladder strict', () => {
    const l = quoter.ladder(2, BOOK, 110, 0);
    expect(ticks(l.bids)).toEqual([101, 100, 99]);
    expect(ticks(l.asks)).toEqual([111, 112, 113]);
    expect(l.flags & L.QF_POST_ONLY_ADJUSTED).toBe(L.QF_POST_ONLY_ADJUSTED);
  });

  it('moves asks that would take the best bid to best bid + 1', () => {
    const l = quoter.ladder(2, BOOK, 90, 0);
    expect(ticks(l.asks)).toEqual([101, 102, 103]);
    expect(ticks(l.bids)).toEqual([89, 88, 87]);
    expect(l.flags & L.QF_POST_ONLY_ADJUSTED).toBe(L.QF_POST_ONLY_ADJUSTED);
  });

  it('leaves passive quotes alone', () => {
    const l = quoter.ladder(2, BOOK, 101, 0);
    expect(ticks(l.bids)).toEqual([100, 99, 98]);
    expect(ticks(l.asks)).toEqual([102, 103, 104]);
    expect(l.flags & L.QF_POST_ONLY_ADJUSTED).toBe(0);
  });

  it('does nothing without a book or with post-only off', () => {
    expect(ticks(quoter.ladder(2, -1, 110, 0).bids)).toEqual([109, 108, 107]);
    quoter.update(2, { postOnly: false });
    const l = quoter.ladder(2, BOOK, 110, 0);
    expect(ticks(l.bids)).toEqual([109, 108, 107]);
    expect(l.flags & L.QF_POST_ONLY_ADJUSTED).toBe(0);
    quoter.update(2, { postOnly: true });
  });

  it('guards each side against the opposite side alone when the other is empty', () => {
    const ONE_SIDED = 3;
    books.reset(ONE_SIDED);
    books.set(ONE_SIDED, 1, 102, 5);
    expect(ticks(quoter.ladder(2, ONE_SIDED, 110, 0).bids)).toEqual([101, 100, 99]);
  });
});

describe('price bounds (binary contract, 1..99 cents)', () => {
  quoter.configure(4, { halfSpreadTicks: 2, levelSpacingTicks: 1, levels: 3, orderSizeLot: 1, minPriceTick: 1, maxPriceTick: 99 });

  it('drops bids below 1 cent', () => {
    const l = quoter.ladder(4, -1, 3, 0);
    expect(ticks(l.bids)).toEqual([1]);
    expect(ticks(l.asks)).toEqual([5, 6, 7]);
  });

  it('drops asks above 99 cents', () => {
    const l = quoter.ladder(4, -1, 97, 0);
    expect(ticks(l.asks)).toEqual([99]);
    expect(ticks(l.bids)).toEqual([95, 94, 93]);
  });

  it('never bids below tick 1 even without bounds', () => {
    quoter.configure(5, { halfSpreadTicks: 2, levelSpacingTicks: 1, levels: 3, orderSizeLot: 1 });
    expect(ticks(quoter.ladder(5, -1, 3, 0).bids)).toEqual([1]);
  });

  it('a raised minimum drops the deeper bids', () => {
    quoter.configure(6, { halfSpreadTicks: 2, levelSpacingTicks: 1, levels: 3, orderSizeLot: 1, minPriceTick: 47 });
    expect(ticks(quoter.ladder(6, -1, 50, 0).bids)).toEqual([48, 47]);
  });
});

describe('full-spread clamps', () => {
  it('widens to the minimum in ticks', () => {
    quoter.configure(7, { halfSpreadTicks: 1, minSpreadTicks: 6, orderSizeLot: 1 });
    const l = quoter.ladder(7, -1, 100, 0);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([97, 103]);
    expect(l.halfSpreadTicks).toBe(3);
    expect(l.flags & L.QF_MIN_SPREAD_CLAMP).toBe(L.QF_MIN_SPREAD_CLAMP);
  });

  it('widens to the minimum in bps of fair value; the wider floor wins', () => {
    quoter.configure(7, { halfSpreadTicks: 1, minSpreadTicks: 6, minSpreadBps: 10, orderSizeLot: 1 });
    expect(quoter.ladder(7, -1, 10_000, 0).halfSpreadTicks).toBe(5); // 10 bps of 10,000 = 10 ticks
    quoter.update(7, { minSpreadTicks: 14 });
    expect(quoter.ladder(7, -1, 10_000, 0).halfSpreadTicks).toBe(7);
  });

  it('narrows to the maximum; the narrower ceiling wins', () => {
    quoter.configure(8, { halfSpreadTicks: 10, maxSpreadTicks: 4, orderSizeLot: 1 });
    let l = quoter.ladder(8, -1, 10_000, 0);
    expect(l.halfSpreadTicks).toBe(2);
    expect(l.flags & L.QF_MAX_SPREAD_CLAMP).toBe(L.QF_MAX_SPREAD_CLAMP);
    quoter.update(8, { maxSpreadBps: 3 }); // 3 ticks at 10,000
    l = quoter.ladder(8, -1, 10_000, 0);
    expect(l.halfSpreadTicks).toBe(1.5);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([9998, 10002]);
  });

  it('when the floor is above the ceiling the floor wins', () => {
    quoter.configure(9, { halfSpreadTicks: 10, maxSpreadTicks: 4, minSpreadTicks: 8, orderSizeLot: 1 });
    const l = quoter.ladder(9, -1, 100, 0);
    expect(l.halfSpreadTicks).toBe(4);
    expect(l.flags & (L.QF_MIN_SPREAD_CLAMP | L.QF_MAX_SPREAD_CLAMP)).toBe(L.QF_MIN_SPREAD_CLAMP | L.QF_MAX_SPREAD_CLAMP);
  });

  it('leaves a spread inside the bounds alone', () => {
    quoter.configure(10, { halfSpreadTicks: 3, maxSpreadTicks: 10, minSpreadTicks: 2, orderSizeLot: 1 });
    const l = quoter.ladder(10, -1, 100, 0);
    expect(l.halfSpreadTicks).toBe(3);
    expect(l.flags).toBe(0);
  });
});

describe('multipliers, shift and sizes', () => {
  it('spreadMult scales the half-spread before the clamps, per-side multipliers after', () => {
    quoter.configure(11, { halfSpreadTicks: 4, spreadMult: 2, maxSpreadTicks: 12, bidSpreadMult: 0.5, askSpreadMult: 2, orderSizeLot: 1 });
    const l = quoter.ladder(11, -1, 100, 0);
    expect(l.halfSpreadTicks).toBe(6);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([97, 112]);
  });

  it('extraShiftTicks moves the centre', () => {
    quoter.configure(12, { halfSpreadTicks: 2, extraShiftTicks: -3, orderSizeLot: 1 });
    const l = quoter.ladder(12, -1, 100, 0);
    expect(l.reservationTick).toBe(97);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([95, 99]);
    expect(l.skewTicks).toBe(0);
  });

  it('per-level sizes, order size for the rest, sizeMult floored to whole lots, zero levels dropped', () => {
    quoter.configure(13, { halfSpreadTicks: 1, levels: 4, orderSizeLot: 10, levelSizesLot: [4, 0, 1], sizeMult: 0.7 });
    const l = quoter.ladder(13, -1, 100, 0);
    // 4 × 0.7 = 2.8 → 2; 10 × 0.7 = 7; 1 × 0.7 = 0.7 → dropped; 7
    expect(sizes(l.bids)).toEqual([2, 7, 7]);
    expect(ticks(l.bids)).toEqual([99, 98, 96]);
  });

  it('a size multiplier product just under an integer counts as that integer', () => {
    quoter.configure(14, { halfSpreadTicks: 1, orderSizeLot: 100, sizeMult: 0.29 }); // 100 × 0.29 = 28.999999999999996
    expect(sizes(quoter.ladder(14, -1, 100, 0).bids)).toEqual([29]);
  });
});
