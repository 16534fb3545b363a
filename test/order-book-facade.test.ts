// The decimal-string facade: exact prices in, exact prices out, bad input changes nothing.
import { describe, it, expect } from 'vitest';
import { OrderBook, BookSlots } from '../src/orderbook/order-book.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { SpreadcoreError } from '../src/errors.js';
import { MAX_BOOKS } from '../src/wasm/layout.js';

const books = new WasmBooks(instantiateCore('debug'));

describe('OrderBook', () => {
  it('applies a snapshot, sets and deltas with exact decimals', () => {
    const ob = new OrderBook({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }, 0, books);
    ob.snapshot([['61837.63000000', '3.78826000'], ['61837.62', '0.617']], [['61837.64', '1.5']]);
    ob.set([['61837.63', '0']], [['61837.65', '0.00001']]);
    ob.change('ask', '61837.64', '-0.5');
    expect(ob.depth(5)).toEqual({
      bids: [['61837.62', '0.61700']],
      asks: [['61837.64', '1.00000'], ['61837.65', '0.00001']],
    });
    expect(ob.bestBid()).toEqual(['61837.62', '0.61700']);
    expect(ob.isCrossed()).toBe(false);
  });

  it('a bad level anywhere in a batch changes nothing', () => {
    const ob = new OrderBook({ symbol: 'ETHUSDT', tickSize: '0.01', lotSize: '0.0001' }, 1, books);
    ob.snapshot([['2683.80', '1']], [['2683.81', '2']]);
    const before = ob.depth(10);
    expect(() => ob.set([['2683.79', '1']], [['2683.815', '1']])).toThrow(SpreadcoreError);
    expect(() => ob.set([['2683.79', 'NaN']], [])).toThrow(SpreadcoreError);
    expect(() => ob.snapshot([['2683.79', '-1']], [])).toThrow(SpreadcoreError);
    expect(() => ob.change('bid', '2683.80', '-1.0001')).toThrow(/below zero/);
    expect(() => ob.change('both' as 'bid', '2683.80', '1')).toThrow(SpreadcoreError);
    expect(ob.depth(10)).toEqual(before);
  });

  it('hands out one slot per symbol and refuses when all are taken', () => {
    const slots = new BookSlots();
    const a = slots.acquire('A');
    expect(slots.acquire('A')).toBe(a);
    for (let i = 1; i < MAX_BOOKS; i++) slots.acquire(`S${i}`);
    expect(() => slots.acquire('one-too-many')).toThrow(/book slots/);
    slots.release('A');
    expect(slots.acquire('B')).toBe(a);
  });

  it('rejects a slot outside the books region', () => {
    expect(() => new OrderBook({ symbol: 'X', tickSize: '0.01', lotSize: '1' }, MAX_BOOKS, books)).toThrow(SpreadcoreError);
  });
});
