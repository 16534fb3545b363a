// Argument and parameter validation, fair value from the book, defaults, and the
// TypeScript parameter object.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter, DEFAULT_QUOTE_PARAMS, quoteFlagNames } from '../src/wasm/quote-api.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { SpreadcoreError } from '../src/errors.js';
import * as L from '../src/wasm/layout.js';

const core = instantiateCore('debug');
const quoter = new WasmQuoter(core);
const books = new WasmBooks(core);
const x = core.exports;
const paramBase = (slot: number): number => L.QUOTE_PARAMS_OFFSET / 8 + slot * L.QUOTE_PARAM_SLOTS;

describe('arguments', () => {
  quoter.configure(0, { halfSpreadTicks: 2, orderSizeLot: 1 });

  it('rejects a slot out of range', () => {
    for (const slot of [-1, L.MAX_QUOTERS, 1 << 30]) {
      expect(x.quoteCompute(slot, -1, 100, 0)).toBe(-L.ERR_BAD_SLOT);
      expect(x.quoteReset(slot)).toBe(-L.ERR_BAD_SLOT);
    }
  });

  it('rejects a book out of range and clears the previous result', () => {
    expect(quoter.compute(0, -1, 100, 0)).toBe(1 | (1 << 8));
    for (const book of [-2, L.MAX_BOOKS]) {
      expect(quoter.compute(0, book, 100, 0)).toBe(-L.ERR_BAD_BOOK);
      expect(quoter.bidCount(0)).toBe(0);
      expect(quoter.askCount(0)).toBe(0);
    }
  });

  it('rejects a non-finite inventory', () => {
    for (const inv of [NaN, Infinity, -Infinity]) expect(quoter.compute(0, -1, 100, inv)).toBe(-L.ERR_BAD_QTY);
  });

  it('rejects an infinite or out-of-range fair value', () => {
    for (const fair of [Infinity, -Infinity, 2 ** 53]) expect(quoter.compute(0, -1, fair, 0)).toBe(-L.ERR_BAD_PRICE);
  });

  it('quotes nothing for a fair value that is not positive', () => {
    for (const fair of [0, -5]) {
      expect(quoter.compute(0, -1, fair, 0)).toBe(0);
      expect(quoter.flags(0)).toBe(L.QF_NO_FAIR);
    }
  });

  it('ladder() throws a coded error for a bad argument', () => {
    expect(() => quoter.ladder(0, 99, 100, 0)).toThrow(SpreadcoreError);
  });
});

describe('fair value from the book', () => {
  const BOOK = 1;
  quoter.configure(1, { halfSpreadTicks: 2, orderSizeLot: 1 });

  it('no book and no fair value: nothing quoted, QF_NO_FAIR', () => {
    expect(quoter.compute(1, -1, NaN, 0)).toBe(0);
    expect(quoter.flags(1)).toBe(L.QF_NO_FAIR);
    expect(quoteFlagNames(quoter.flags(1))).toEqual(['no_fair']);
  });

  it('an empty or one-sided book gives no fair value', () => {
    books.reset(BOOK);
    expect(quoter.compute(1, BOOK, NaN, 0)).toBe(0);
    expect(quoter.flags(1)).toBe(L.QF_NO_FAIR);
    books.set(BOOK, 0, 100, 1);
    expect(quoter.compute(1, BOOK, NaN, 0)).toBe(0);
    expect(quoter.flags(1)).toBe(L.QF_NO_FAIR);
  });

  it('mid by default', () => {
    books.reset(BOOK);
    books.set(BOOK, 0, 100, 1);
    books.set(BOOK, 1, 110, 3);
    const l = quoter.ladder(1, BOOK, NaN, 0);
    expect(l.fairTick).toBe(105);
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([103, 107]);
  });

  it('microprice: (bid × askQty + ask × bidQty) / (bidQty + askQty)', () => {
    quoter.update(1, { fairMode: 'microprice' });
    const l = quoter.ladder(1, BOOK, NaN, 0);
    expect(l.fairTick).toBe((100 * 3 + 110 * 1) / 4); // 102.5
    expect([l.bids[0]!.tick, l.asks[0]!.tick]).toEqual([100, 105]);
  });

  it('a fair value passed in wins over the book', () => {
    expect(quoter.ladder(1, BOOK, 200, 0).fairTick).toBe(200);
  });
});

describe('parameter block in memory', () => {
  it('quoteReset writes the documented defaults', () => {
    quoter.configure(2, { halfSpreadBps: 7, levels: 9, levelSizesLot: [1, 2] });
    expect(x.quoteReset(2)).toBe(0);
    expect(quoter.params(2)).toEqual({ ...DEFAULT_QUOTE_PARAMS, levelSizesLot: [] });
  });

  it('NaN or Inf in any scalar slot quotes nothing with QF_BAD_PARAMS', () => {
    quoter.configure(3, { halfSpreadTicks: 2, orderSizeLot: 1, levels: 2 });
    const base = paramBase(3);
    for (let idx = 0; idx <= L.QP_FAIR_MODE; idx++) {
      for (const bad of [NaN, Infinity, -Infinity]) {
        const saved = core.f64[base + idx]!;
        core.f64[base + idx] = bad;
        expect(quoter.compute(3, -1, 100, 0), `slot ${idx} = ${bad}`).toBe(0);
        expect(quoter.flags(3)).toBe(L.QF_BAD_PARAMS);
        core.f64[base + idx] = saved;
      }
    }
    expect(quoter.compute(3, -1, 100, 0)).toBe(2 | (2 << 8));
  });

  it('NaN in the size of a level in use quotes nothing; beyond the levels in use it is ignored', () => {
    quoter.configure(4, { halfSpreadTicks: 2, orderSizeLot: 1, levels: 2 });
    const base = paramBase(4);
    core.f64[base + L.QP_LEVEL_SIZE_BASE + 1] = NaN;
    expect(quoter.compute(4, -1, 100, 0)).toBe(0);
    expect(quoter.flags(4)).toBe(L.QF_BAD_PARAMS);
    core.f64[base + L.QP_LEVEL_SIZE_BASE + 1] = 0;
    core.f64[base + L.QP_LEVEL_SIZE_BASE + 2] = NaN;
    expect(quoter.compute(4, -1, 100, 0)).toBe(2 | (2 << 8));
  });

  it('negative sizes, spreads and multipliers, and unknown mode codes are refused', () => {
    quoter.configure(5, { halfSpreadTicks: 2, orderSizeLot: 1 });
    const base = paramBase(5);
    const cases: [number, number][] = [
      [L.QP_HALF_SPREAD_TICKS, -1], [L.QP_SPREAD_MULT, -1], [L.QP_BID_SPREAD_MULT, -0.5],
      [L.QP_ORDER_SIZE_LOT, -1], [L.QP_MAX_POSITION_LOT, -1], [L.QP_MODEL, 3], [L.QP_MODEL, 0.5],
      [L.QP_SKEW_MODE, 4], [L.QP_FAIR_MODE, 2], [L.QP_LEVELS, -1],
    ];
    for (const [idx, bad] of cases) {
      const saved = core.f64[base + idx]!;
      core.f64[base + idx] = bad;
      expect(quoter.compute(5, -1, 100, 0), `slot ${idx} = ${bad}`).toBe(0);
      expect(quoter.flags(5)).toBe(L.QF_BAD_PARAMS);
      core.f64[base + idx] = saved;
    }
  });

  it('the module defaults quote nothing (order size 0)', () => {
    x.quoteReset(6);
    expect(quoter.compute(6, -1, 100, 0)).toBe(0);
    expect(quoter.flags(6)).toBe(0);
  });
});

describe('TypeScript parameter object', () => {
  it('round-trips through the slot', () => {
    const params = {
      ...DEFAULT_QUOTE_PARAMS,
      model: 'glft' as const, levels: 4, halfSpreadBps: 1.5, orderSizeLot: 3, skewMode: 'stepped' as const,
      stepLot: 10, stepAdjTicks: 2, gamma: 0.1, sigma: 0.2, k: 1.5, a: 100, tickSize: 0.01, lotSize: 0.001,
      postOnly: true, fairMode: 'microprice' as const, levelSizesLot: [5, 0, 7],
    };
    quoter.configure(7, params);
    expect(quoter.params(7)).toEqual(params);
  });

  it('refuses bad values and leaves the slot unchanged', () => {
    quoter.configure(8, { halfSpreadTicks: 2, orderSizeLot: 1, levels: 2 });
    const before = quoter.params(8);
    const bad: object[] = [
      { levels: 33 }, { levels: 1.5 }, { halfSpreadBps: NaN }, { orderSizeLot: -1 }, { spreadMult: Infinity },
      { model: 'nope' }, { skewMode: 'x' }, { fairMode: 'last' }, { levelSizesLot: [1, -1] },
      { levelSizesLot: new Array(33).fill(1) }, { model: 'avellaneda_stoikov' }, { model: 'glft', gamma: 1, k: 1, tickSize: 1 },
    ];
    for (const b of bad) {
      expect(() => quoter.update(8, b), JSON.stringify(b)).toThrow(SpreadcoreError);
      expect(quoter.params(8)).toEqual(before);
    }
    expect(() => quoter.configure(64, {})).toThrow(SpreadcoreError);
  });

  it('update changes only the given fields', () => {
    quoter.configure(9, { halfSpreadTicks: 2, orderSizeLot: 1, levels: 2 });
    quoter.update(9, { levels: 3 });
    expect(quoter.params(9)).toMatchObject({ halfSpreadTicks: 2, orderSizeLot: 1, levels: 3 });
  });
});
