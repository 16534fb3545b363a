// The tick window: a market that moves far outside the first window keeps every
// level; levels outside the window live in the overflow store until it is full.
import { describe, it, expect, beforeEach } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';

const books = new WasmBooks(instantiateCore('debug'));
const B = 5;

describe('book window', () => {
  beforeEach(() => { books.reset(B); });

  it('the first level on an empty book centres the window on it', () => {
    expect(books.set(B, 0, 5_000_000, 3)).toBe(L.ERR_OK);
    expect(books.baseTick(B)).toBe(5_000_000 - L.WINDOW_TICKS / 2);
    expect(books.overflowCount(B, 0)).toBe(0);
  });

  it('BTC at 50,000.00 moving to 5,000,000.00 (100x, far outside the window) keeps every level', () => {
    // a 20-level book around 5,000,000 ticks (50,000.00 at tick 0.01)
    for (let i = 1; i <= 20; i++) {
      books.set(B, 0, 5_000_000 - i, i);
      books.set(B, 1, 5_000_000 + i, i);
    }
    const firstBase = books.baseTick(B);
    // the market moves up 100x in steps of 10%, leaving the old levels resting
    let mid = 5_000_000;
    for (let step = 0; step < 49; step++) {
      mid = Math.round(mid * 1.1);
      // the asks below the new mid are taken out
      const top = books.topLevels(B, 1000);
      for (const a of top.asks) if (a.tick <= mid) expect(books.set(B, 1, a.tick, 0)).toBe(L.ERR_OK);
      for (let i = 1; i <= 5; i++) {
        books.set(B, 0, mid - i, 100 + i);
        books.set(B, 1, mid + i, 100 + i);
      }
    }
    expect(mid).toBeGreaterThan(500_000_000);
    expect(books.baseTick(B)).not.toBe(firstBase);
    expect(books.recenters(B)).toBeGreaterThan(0);
    expect(books.bestBidTick(B)).toBe(mid - 1);
    expect(books.bestAskTick(B)).toBe(mid + 1);
    // every bid ever placed is still there: 20 original + 5 per step
    expect(books.levelCount(B, 0)).toBe(20 + 49 * 5);
    const bids = books.topLevels(B, 1000).bids;
    expect(bids).toHaveLength(20 + 49 * 5);
    for (let i = 1; i < bids.length; i++) expect(bids[i]!.tick).toBeLessThan(bids[i - 1]!.tick);
    // the deepest are the original levels, untouched
    expect(bids.at(-1)).toEqual({ tick: 5_000_000 - 20, qtyLot: 20 });
    expect(books.overflowCount(B, 0)).toBeGreaterThan(0);
    expect(books.errors(B)).toBe(0);
  });

  it('a crash down through the window and back keeps levels on both sides', () => {
    books.set(B, 0, 1_000_000, 7);
    books.set(B, 1, 1_000_010, 9);
    books.set(B, 0, 10, 1); // a deep bid far below the window
    books.set(B, 1, 2_000_000_000, 2); // a deep ask far above
    expect(books.overflowCount(B, 0)).toBe(1);
    expect(books.overflowCount(B, 1)).toBe(1);
    // the near book is wiped out; the best prices are now the deep levels, outside the window
    books.set(B, 0, 1_000_000, 0);
    books.set(B, 1, 1_000_010, 0);
    expect(books.bestBidTick(B)).toBe(10);
    expect(books.bestAskTick(B)).toBe(2_000_000_000);
    books.set(B, 0, 500, 4);
    books.set(B, 1, 600, 5);
    expect(books.topLevels(B, 5)).toEqual({
      bids: [{ tick: 500, qtyLot: 4 }, { tick: 10, qtyLot: 1 }],
      asks: [{ tick: 600, qtyLot: 5 }, { tick: 2_000_000_000, qtyLot: 2 }],
    });
    // the window followed the market down
    expect(books.baseTick(B)).toBeLessThanOrEqual(500);
    expect(books.baseTick(B) + L.WINDOW_TICKS).toBeGreaterThan(600);
  });

  it('negative prices are prices too', () => {
    books.set(B, 0, -3_700, 1); // WTI on 2020-04-20, in cents
    books.set(B, 1, -3_600, 2);
    expect(books.midTick(B)).toBe(-3_650);
    expect(books.isCrossed(B)).toBe(false);
  });

  it('when the overflow store is full a new far level is refused with a clear code, and nothing is lost', () => {
    books.set(B, 0, 0, 1);
    books.set(B, 1, 1, 1);
    const far = L.WINDOW_TICKS * 4;
    for (let i = 0; i < L.OVERFLOW_CAP; i++) expect(books.set(B, 1, far + i, 1)).toBe(L.ERR_OK);
    expect(books.overflowCount(B, 1)).toBe(L.OVERFLOW_CAP);
    expect(books.set(B, 1, far + L.OVERFLOW_CAP, 1)).toBe(L.ERR_OVERFLOW_FULL);
    expect(books.flags(B) & L.BOOK_FLAG_OVERFLOW_FULL).toBe(L.BOOK_FLAG_OVERFLOW_FULL);
    expect(books.lastError(B)).toBe(L.ERR_OVERFLOW_FULL);
    expect(books.levelCount(B, 1)).toBe(L.OVERFLOW_CAP + 1);
    // updating or removing an existing far level still works
    expect(books.set(B, 1, far, 5)).toBe(L.ERR_OK);
    expect(books.levelQty(B, 1, far)).toBe(5);
    expect(books.set(B, 1, far, 0)).toBe(L.ERR_OK);
    expect(books.set(B, 1, far + L.OVERFLOW_CAP, 1)).toBe(L.ERR_OK);
    // levels in the window are unaffected
    expect(books.bestBidTick(B)).toBe(0);
    expect(books.bestAskTick(B)).toBe(1);
  });
});
