// Reads: best prices, mid, microprice, imbalance, top-N and flags on a known book.
import { describe, it, expect, beforeAll } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';

const books = new WasmBooks(instantiateCore('debug'));
const B = 1;

describe('book reads', () => {
  beforeAll(() => {
    books.reset(B);
    // seed 000 Step 3 depth at tick 0.01: bids 49995.00 x 1.5 ... (qty in lots of 0.1)
    const bids = [[4_999_500, 15], [4_999_000, 23], [4_998_500, 8], [4_998_000, 12], [4_997_500, 31]];
    const asks = [[5_000_500, 12], [5_001_000, 18], [5_001_500, 9], [5_002_000, 21], [5_002_500, 15]];
    for (const [t, q] of bids) books.set(B, L.SIDE_BID, t!, q!);
    for (const [t, q] of asks) books.set(B, L.SIDE_ASK, t!, q!);
  });

  it('best levels, mid and spread', () => {
    expect(books.bestBidTick(B)).toBe(4_999_500);
    expect(books.bestBidQty(B)).toBe(15);
    expect(books.bestAskTick(B)).toBe(5_000_500);
    expect(books.bestAskQty(B)).toBe(12);
    expect(books.midTick(B)).toBe(5_000_000);
    expect(books.flags(B)).toBe(0);
  });

  it('microprice leans toward the side with less size', () => {
    // (bid * askQty + ask * bidQty) / (bidQty + askQty)
    expect(books.micropriceTick(B)).toBeCloseTo((4_999_500 * 12 + 5_000_500 * 15) / 27, 6);
    expect(books.micropriceTick(B)).toBeGreaterThan(books.midTick(B));
  });

  it('imbalance over N levels', () => {
    expect(books.imbalance(B, 1)).toBeCloseTo((15 - 12) / 27, 12);
    expect(books.imbalance(B, 5)).toBeCloseTo((89 - 75) / 164, 12);
    expect(books.imbalance(B, 500)).toBeCloseTo((89 - 75) / 164, 12);
  });

  it('top-N in price priority, truncated to N and to the depth region', () => {
    const top = books.topLevels(B, 3);
    expect(top.bids.map((l) => l.tick)).toEqual([4_999_500, 4_999_000, 4_998_500]);
    expect(top.asks.map((l) => l.tick)).toEqual([5_000_500, 5_001_000, 5_001_500]);
    expect(books.topN(B, 0)).toBe(0);
    expect(books.topN(B, 5000)).toBe(5 | (5 << 16));
  });

  it('crossed and empty flags', () => {
    const C = 2;
    books.reset(C);
    expect(books.flags(C)).toBe(L.BOOK_FLAG_BID_EMPTY | L.BOOK_FLAG_ASK_EMPTY);
    expect(books.midTick(C)).toBeNaN();
    expect(books.micropriceTick(C)).toBeNaN();
    expect(books.imbalance(C, 5)).toBe(0);
    books.set(C, 0, 100, 1);
    expect(books.flags(C)).toBe(L.BOOK_FLAG_ASK_EMPTY);
    books.set(C, 1, 100, 1);
    expect(books.flags(C)).toBe(L.BOOK_FLAG_CROSSED);
    expect(books.isCrossed(C)).toBe(true);
    books.set(C, 1, 100, 0);
    books.set(C, 1, 101, 1);
    expect(books.isCrossed(C)).toBe(false);
    books.clearSide(C, 0);
    expect(books.flags(C)).toBe(L.BOOK_FLAG_BID_EMPTY);
  });

  it('books are independent', () => {
    books.reset(9);
    books.set(9, 0, 1, 1);
    expect(books.bestBidTick(B)).toBe(4_999_500);
    expect(books.bestBidTick(9)).toBe(1);
  });
});
