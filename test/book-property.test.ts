// Property: any sequence of set / change / clear / snapshot operations leaves the
// WASM book identical to the plain reference book in every read.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';
import { ReferenceBook } from './support/reference-book.js';

const books = new WasmBooks(instantiateCore('debug'));
const BOOK = 3;
const W = L.WINDOW_TICKS;

type Op =
  | { k: 'set'; side: number; tick: number; qty: number }
  | { k: 'change'; side: number; tick: number; delta: number }
  | { k: 'clearSide'; side: number }
  | { k: 'snapshot'; bids: [number, number][]; asks: [number, number][] }
  | { k: 'shift'; by: number }
  | { k: 'hitBest'; side: number; levels: number }
  | { k: 'check'; n: number };

// Prices are drawn around a moving centre: bids mostly below it and asks mostly
// above (crossing happens too), sometimes a window or more away, and in the
// "far" runs occasionally astronomically far, so the window has to move and the
// overflow store gets used.
const near = fc.integer({ min: 0, max: 40 });
function offsetFor(far: boolean): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 20, arbitrary: near },
    { weight: 2, arbitrary: fc.integer({ min: -5, max: 5 }) },
    { weight: 2, arbitrary: fc.integer({ min: -3 * W, max: 3 * W }) },
    { weight: far ? 1 : 0, arbitrary: fc.integer({ min: -(2 ** 45), max: 2 ** 45 }) },
  );
}
const qty = fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 1, max: 9 }) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 2 ** 40 }) });
function opsFor(far: boolean): fc.Arbitrary<Op[]> {
  const offset = offsetFor(far);
  // side 0 (bid) prices sit at centre - offset, side 1 (ask) at centre + offset
  const level = fc.tuple(offset, fc.integer({ min: 1, max: 50 }));
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 10, arbitrary: fc.record({ k: fc.constant('set' as const), side, tick: offset, qty }) },
    { weight: 6, arbitrary: fc.record({ k: fc.constant('change' as const), side, tick: offset, delta: fc.integer({ min: -6, max: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('clearSide' as const), side }) },
    { weight: 1, arbitrary: fc.record({ k: fc.constant('snapshot' as const), bids: fc.array(level, { maxLength: 40, size: 'max' }), asks: fc.array(level, { maxLength: 40, size: 'max' }) }) },
    { weight: 2, arbitrary: fc.record({ k: fc.constant('shift' as const), by: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: -5, max: 5 }) }, { weight: 1, arbitrary: fc.integer({ min: -4 * W, max: 4 * W }) }) }) },
    { weight: 3, arbitrary: fc.record({ k: fc.constant('check' as const), n: fc.integer({ min: 1, max: 40 }) }) },
    { weight: 4, arbitrary: fc.record({ k: fc.constant('hitBest' as const), side, levels: fc.integer({ min: 1, max: 3 }) }) },
  );
  return fc.array(op, { minLength: 20, maxLength: 300, size: 'max' });
}
const side = fc.integer({ min: 0, max: 1 });

function compare(ref: ReferenceBook, n: number): void {
  const bb = ref.bestBid();
  const ba = ref.bestAsk();
  expect(books.bestBidTick(BOOK)).toBe(bb ? bb.tick : -Infinity);
  expect(books.bestAskTick(BOOK)).toBe(ba ? ba.tick : Infinity);
  expect(books.bestBidQty(BOOK)).toBe(bb ? bb.qtyLot : 0);
  expect(books.bestAskQty(BOOK)).toBe(ba ? ba.qtyLot : 0);
  const top = books.topLevels(BOOK, n);
  expect(top.bids).toEqual(ref.top(0, n));
  expect(top.asks).toEqual(ref.top(1, n));
  expect(books.levelCount(BOOK, 0)).toBe(ref.bids.size);
  expect(books.levelCount(BOOK, 1)).toBe(ref.asks.size);
  const flags = books.flags(BOOK);
  expect((flags & L.BOOK_FLAG_CROSSED) !== 0).toBe(ref.crossed());
  expect((flags & L.BOOK_FLAG_BID_EMPTY) !== 0).toBe(bb === undefined);
  expect((flags & L.BOOK_FLAG_ASK_EMPTY) !== 0).toBe(ba === undefined);
  expect((flags & L.BOOK_FLAG_INTEGRITY) !== 0).toBe(ref.integrity);
  expect(books.imbalance(BOOK, n)).toBeCloseTo(ref.imbalance(n), 12);
  const mid = books.midTick(BOOK);
  if (bb && ba) expect(mid).toBe((bb.tick + ba.tick) / 2);
  else expect(mid).toBeNaN();
}

function run(ops: Op[], centre0: number, staged: boolean): void {
  const ref = new ReferenceBook();
  books.reset(BOOK);
  let centre = centre0;
  for (const o of ops) {
    switch (o.k) {
      case 'set': {
        const t = o.side === 0 ? centre - o.tick : centre + o.tick;
        const st = staged ? (books.stageSet(BOOK, o.side, t, o.qty), books.flush(), books.stagedStatus(0)) : books.set(BOOK, o.side, t, o.qty);
        expect(st).toBe(L.ERR_OK);
        ref.set(o.side, t, o.qty);
        break;
      }
      case 'change': {
        const t = o.side === 0 ? centre - o.tick : centre + o.tick;
        const st = staged ? (books.stageChange(BOOK, o.side, t, o.delta), books.flush(), books.stagedStatus(0)) : books.change(BOOK, o.side, t, o.delta);
        const r = ref.change(o.side, t, o.delta);
        expect(st).toBe(r === 'ok' ? L.ERR_OK : L.ERR_NEGATIVE_LEVEL);
        break;
      }
      case 'clearSide':
        expect(books.clearSide(BOOK, o.side)).toBe(L.ERR_OK);
        ref.clearSide(o.side);
        break;
      case 'snapshot': {
        books.stageClearBook(BOOK);
        ref.clear();
        for (const [off, q] of o.bids) { books.stageSet(BOOK, 0, centre - off, q); ref.set(0, centre - off, q); }
        for (const [off, q] of o.asks) { books.stageSet(BOOK, 1, centre + off, q); ref.set(1, centre + off, q); }
        expect(books.flush()).toBe(0);
        break;
      }
      case 'shift':
        centre += o.by;
        break;
      case 'check':
        compare(ref, o.n);
        break;
      case 'hitBest':
        // an aggressive order takes out the best levels of a side, as trades do
        for (let i = 0; i < o.levels; i++) {
          const best = o.side === 0 ? ref.bestBid() : ref.bestAsk();
          if (best === undefined) break;
          expect(books.change(BOOK, o.side, best.tick, -best.qtyLot)).toBe(L.ERR_OK);
          ref.change(o.side, best.tick, -best.qtyLot);
          compare(ref, 3);
        }
        break;
    }
  }
  compare(ref, 50);
}

describe('WASM book vs reference book (fast-check)', () => {
  it('single calls: identical reads after any operation sequence', () => {
    fc.assert(fc.property(opsFor(false), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      (ops, c) => run(ops, c, false)), { numRuns: 300 });
  });

  it('single calls with astronomically far prices mixed in', () => {
    fc.assert(fc.property(opsFor(true), fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
      (ops, c) => run(ops, c, false)), { numRuns: 200 });
  });

  it('staged batches: identical reads and per-record statuses', () => {
    fc.assert(fc.property(opsFor(false), fc.integer({ min: 0, max: 10_000_000 }),
      (ops, c) => run(ops, c, true)), { numRuns: 150 });
  });

  it('a market drifting steadily far beyond the first window keeps every level', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4000 }), fc.integer({ min: 5, max: 60 }), fc.integer({ min: 0, max: 2 ** 30 }),
      (step, depth, start) => {
        const ref = new ReferenceBook();
        books.reset(BOOK);
        // 200 moves of `step` ticks each, re-quoting a ladder around the new mid and
        // leaving the old levels where they were (a stale deep book)
        let mid = start;
        for (let i = 0; i < 200; i++) {
          mid += step;
          for (let d = 1; d <= depth; d += 7) {
            books.set(BOOK, 0, mid - d, d); ref.set(0, mid - d, d);
            books.set(BOOK, 1, mid + d, d); ref.set(1, mid + d, d);
          }
          // remove asks now below the mid and bids above, as a real book would
          for (const t of [...ref.asks.keys()]) if (t <= mid) { books.set(BOOK, 1, t, 0); ref.set(1, t, 0); }
        }
        compare(ref, 60);
        expect(ref.bids.size).toBe(books.levelCount(BOOK, 0));
        if (step * 200 > L.WINDOW_TICKS) expect(books.recenters(BOOK)).toBeGreaterThan(0);
      }), { numRuns: 40 });
  });
});
