// Bad operations are refused with an exact code and change nothing.
import { describe, it, expect, beforeEach } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';

const books = new WasmBooks(instantiateCore('debug'));
const B = 7;

function snapshotOf(book: number): unknown {
  return { top: books.topLevels(book, 100), bids: books.levelCount(book, 0), asks: books.levelCount(book, 1) };
}

describe('book integrity', () => {
  beforeEach(() => {
    books.reset(B);
    books.set(B, 0, 100, 5);
    books.set(B, 1, 101, 6);
  });

  it('a delta that would go below zero is an integrity error, not a clamp', () => {
    const before = snapshotOf(B);
    expect(books.change(B, 0, 100, -6)).toBe(L.ERR_NEGATIVE_LEVEL);
    expect(books.change(B, 1, 555, -1)).toBe(L.ERR_NEGATIVE_LEVEL); // no level there at all
    expect(snapshotOf(B)).toEqual(before);
    expect(books.flags(B) & L.BOOK_FLAG_INTEGRITY).toBe(L.BOOK_FLAG_INTEGRITY);
    expect(books.errors(B)).toBe(2);
    expect(books.lastError(B)).toBe(L.ERR_NEGATIVE_LEVEL);
  });

  it('deltas add, partially cancel, and remove at exactly zero', () => {
    expect(books.change(B, 0, 99, 3)).toBe(L.ERR_OK); // add
    expect(books.change(B, 0, 99, 4)).toBe(L.ERR_OK);
    expect(books.levelQty(B, 0, 99)).toBe(7);
    expect(books.change(B, 0, 99, -2)).toBe(L.ERR_OK); // partial cancel
    expect(books.levelQty(B, 0, 99)).toBe(5);
    expect(books.change(B, 0, 100, -5)).toBe(L.ERR_OK); // execution takes the whole level
    expect(books.levelCount(B, 0)).toBe(1);
    expect(books.bestBidTick(B)).toBe(99);
    expect(books.change(B, 0, 99, 0)).toBe(L.ERR_OK); // no-op
    expect(books.flags(B) & L.BOOK_FLAG_INTEGRITY).toBe(0);
  });

  it('a fresh snapshot (clear book) clears the latched integrity flag; counters stay', () => {
    books.change(B, 0, 100, -50);
    books.stageClearBook(B);
    books.stageSet(B, 0, 90, 1);
    books.stageSet(B, 1, 91, 1);
    expect(books.flush()).toBe(0);
    expect(books.flags(B) & L.BOOK_FLAG_INTEGRITY).toBe(0);
    expect(books.errors(B)).toBe(1);
    expect(books.topLevels(B, 5)).toEqual({ bids: [{ tick: 90, qtyLot: 1 }], asks: [{ tick: 91, qtyLot: 1 }] });
  });

  const badSingle: [string, () => number, number][] = [
    ['NaN price', () => books.set(B, 0, NaN, 1), L.ERR_BAD_PRICE],
    ['Infinity price', () => books.set(B, 0, Infinity, 1), L.ERR_BAD_PRICE],
    ['fractional price', () => books.set(B, 0, 100.5, 1), L.ERR_BAD_PRICE],
    ['price beyond 2^52 ticks', () => books.set(B, 0, 2 ** 52 + 2, 1), L.ERR_BAD_PRICE],
    ['negative absolute quantity', () => books.set(B, 0, 100, -1), L.ERR_BAD_QTY],
    ['fractional quantity', () => books.set(B, 0, 100, 0.5), L.ERR_BAD_QTY],
    ['NaN quantity', () => books.set(B, 0, 100, NaN), L.ERR_BAD_QTY],
    ['quantity beyond 2^53', () => books.set(B, 0, 100, 2 ** 54), L.ERR_BAD_QTY],
    ['NaN delta', () => books.change(B, 0, 100, NaN), L.ERR_BAD_QTY],
    ['fractional delta', () => books.change(B, 0, 100, -0.25), L.ERR_BAD_QTY],
    ['side 2', () => books.set(B, 2, 100, 1), L.ERR_BAD_SIDE],
    ['side -1', () => books.change(B, -1, 100, 1), L.ERR_BAD_SIDE],
    ['clear side 3', () => books.clearSide(B, 3), L.ERR_BAD_SIDE],
    ['book -1', () => books.set(-1, 0, 100, 1), L.ERR_BAD_BOOK],
    ['book MAX_BOOKS', () => books.set(L.MAX_BOOKS, 0, 100, 1), L.ERR_BAD_BOOK],
    ['reset book MAX_BOOKS', () => books.reset(L.MAX_BOOKS), L.ERR_BAD_BOOK],
  ];
  for (const [name, call, code] of badSingle) {
    it(`refuses ${name} with code ${code} and changes nothing`, () => {
      const before = snapshotOf(B);
      expect(call()).toBe(code);
      expect(snapshotOf(B)).toEqual(before);
    });
  }

  it('staged batches report a status per record and apply the good ones', () => {
    books.stageSet(B, 0, 98, 2); // ok
    books.stageSet(B, 0, 97.5, 2); // bad price
    books.stageChange(B, 1, 101, -7); // negative
    books.stageSet(99, 1, 120, 1); // bad book
    books.stageChange(B, 1, 101, -6); // ok: removes the ask
    expect(books.flush()).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => books.stagedStatus(i))).toEqual([
      L.ERR_OK, L.ERR_BAD_PRICE, L.ERR_NEGATIVE_LEVEL, L.ERR_BAD_BOOK, L.ERR_OK,
    ]);
    expect(books.topLevels(B, 5)).toEqual({ bids: [{ tick: 100, qtyLot: 5 }, { tick: 98, qtyLot: 2 }], asks: [] });
  });

  it('an unknown op code and an out-of-range staged count are refused', () => {
    const core = books.core;
    const i32 = L.STAGING_OFFSET / 4;
    core.i32[i32] = B;
    core.i32[i32 + 1] = 77; // unknown op
    expect(core.exports.applyStaged(1)).toBe(1);
    expect(books.stagedStatus(0)).toBe(L.ERR_BAD_OP);
    expect(core.exports.applyStaged(L.STAGING_CAP + 1)).toBe(-L.ERR_BAD_COUNT);
    expect(core.exports.applyStaged(-1)).toBe(-L.ERR_BAD_COUNT);
    expect(books.topLevels(B, 5).bids).toEqual([{ tick: 100, qtyLot: 5 }]);
  });

  it('reads on a bad book index return sentinels, never throw', () => {
    expect(books.bestBidTick(-3)).toBeNaN();
    expect(books.midTick(L.MAX_BOOKS)).toBeNaN();
    expect(books.flags(L.MAX_BOOKS)).toBe(-1);
    expect(books.topN(L.MAX_BOOKS, 5)).toBe(-1);
    expect(books.topLevels(L.MAX_BOOKS, 5)).toEqual({ bids: [], asks: [] });
    expect(books.imbalance(B, 0)).toBeNaN();
  });
});
