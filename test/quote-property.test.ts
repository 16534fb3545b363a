// Property: for any parameters, inventory, fair value and book, the ladder is
// well-formed: integer ticks, bids strictly falling and asks strictly rising,
// best bid below best ask (and off the book's opposite side when post-only),
// whole positive sizes inside the hard limit, inside the price bounds, no NaN.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter, type QuoteParams } from '../src/wasm/quote-api.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import * as L from '../src/wasm/layout.js';

const core = instantiateCore('debug');
const quoter = new WasmQuoter(core);
const books = new WasmBooks(core);
const SLOT = 5;
const BOOK = 7;

// Mostly ordinary values, with zeros, extremes and fractions mixed in.
const nonNeg = (max: number): fc.Arbitrary<number> => fc.oneof(
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.double({ min: 0, max, noNaN: true }) },
);
const usually = <T>(value: T, other: fc.Arbitrary<T>, weight = 3): fc.Arbitrary<T> =>
  fc.oneof({ weight, arbitrary: fc.constant(value) }, { weight: 1, arbitrary: other });
const signed = (max: number): fc.Arbitrary<number> => fc.double({ min: -max, max, noNaN: true });
const lots = (max: number): fc.Arbitrary<number> => fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: 1, max }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max, noNaN: true }) },
);

const params: fc.Arbitrary<Partial<QuoteParams>> = fc.record({
  model: fc.constantFrom('linear' as const, 'avellaneda_stoikov' as const, 'glft' as const),
  levels: fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: L.MAX_QUOTE_LEVELS }) }, { weight: 1, arbitrary: fc.constant(0) }),
  halfSpreadBps: nonNeg(500),
  halfSpreadTicks: nonNeg(50),
  levelSpacingBps: nonNeg(100),
  levelSpacingTicks: nonNeg(20),
  orderSizeLot: usually(1, lots(50), 1),
  skewMode: fc.constantFrom('none' as const, 'factor' as const, 'per_unit' as const, 'stepped' as const),
  skewFactor: signed(3),
  maxPositionLot: usually(0, lots(1000), 1),
  softLimitLot: nonNeg(100),
  adjTicksPerLot: signed(2),
  stepLot: nonNeg(50),
  stepAdjTicks: signed(20),
  softSpreadMult: usually(1, nonNeg(3)),
  minSpreadBps: usually(0, nonNeg(100)),
  maxSpreadBps: usually(0, nonNeg(1000)),
  minSpreadTicks: usually(0, nonNeg(20)),
  maxSpreadTicks: usually(0, nonNeg(200)),
  spreadMult: usually(1, nonNeg(4)),
  bidSpreadMult: usually(1, nonNeg(3)),
  askSpreadMult: usually(1, nonNeg(3)),
  extraShiftTicks: usually(0, signed(50)),
  sizeMult: usually(1, nonNeg(3)),
  postOnly: fc.boolean(),
  gamma: fc.double({ min: 1e-4, max: 2, noNaN: true }),
  sigma: nonNeg(2),
  k: fc.double({ min: 1e-2, max: 50, noNaN: true }),
  a: fc.double({ min: 1e-2, max: 1000, noNaN: true }),
  horizon: nonNeg(2),
  tickSize: fc.constantFrom(1e-4, 0.01, 0.5, 1),
  minPriceTick: usually(0, fc.integer({ min: 1, max: 1000 })),
  maxPriceTick: usually(0, fc.integer({ min: 1, max: 1_000_000 })),
  fairMode: fc.constantFrom('mid' as const, 'microprice' as const),
  levelSizesLot: fc.array(fc.oneof(fc.constant(0), lots(20)), { maxLength: L.MAX_QUOTE_LEVELS }),
});

const fair = fc.oneof(
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 2, arbitrary: fc.double({ min: 1, max: 200, noNaN: true }) },
  { weight: 2, arbitrary: fc.double({ min: 200, max: 1e7, noNaN: true }) },
);
const inventory = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -60, max: 60 }) },
  { weight: 1, arbitrary: signed(1200) },
);
const book = fc.option(fc.record({
  bid: fc.integer({ min: 1, max: 2000 }),
  gap: fc.integer({ min: -3, max: 40 }), // crossed and locked books too
  bidQty: fc.integer({ min: 1, max: 100 }),
  askQty: fc.integer({ min: 1, max: 100 }),
}), { nil: undefined });

describe('quote ladder invariants', () => {
  it('hold for random parameters, inventory, fair value and book', () => {
    let twoSided = 0;
    let runs = 0;
    fc.assert(fc.property(params, fair, inventory, book, (p, fairTick, q, b) => {
      quoter.configure(SLOT, p);
      books.reset(BOOK);
      if (b !== undefined) {
        books.set(BOOK, 0, b.bid, b.bidQty);
        books.set(BOOK, 1, b.bid + b.gap, b.askQty);
      }
      const status = quoter.compute(SLOT, b === undefined ? -1 : BOOK, fairTick, q);
      expect(status).toBeGreaterThanOrEqual(0);
      const nb = status & 0xff;
      const na = status >>> 8;
      runs++;
      if (nb > 0 && na > 0) twoSided++;
      expect(nb).toBe(quoter.bidCount(SLOT));
      expect(na).toBe(quoter.askCount(SLOT));
      expect(nb).toBeLessThanOrEqual(p.levels!);
      expect(na).toBeLessThanOrEqual(p.levels!);
      const flags = quoter.flags(SLOT);
      if (nb + na > 0) {
        expect(flags & (L.QF_NO_FAIR | L.QF_BAD_PARAMS)).toBe(0);
        for (const v of [quoter.fairTick(SLOT), quoter.reservationTick(SLOT), quoter.halfSpreadTicks(SLOT), quoter.skewTicks(SLOT)]) {
          expect(Number.isFinite(v)).toBe(true);
        }
      }
      const lo = Math.max(1, p.minPriceTick!);
      const hi = p.maxPriceTick! > 0 ? p.maxPriceTick! : Infinity;
      const max = p.maxPositionLot!;
      let cum = 0;
      for (let i = 0; i < nb; i++) {
        const t = quoter.bidTick(i, SLOT);
        const s = quoter.bidQtyLot(i, SLOT);
        expect(Number.isInteger(t)).toBe(true);
        expect(Number.isInteger(s) && s >= 1).toBe(true);
        expect(t >= lo && t <= hi).toBe(true);
        if (i > 0) expect(t).toBeLessThan(quoter.bidTick(i - 1, SLOT));
        cum += s;
      }
      if (max > 0) expect(cum).toBeLessThanOrEqual(Math.max(0, max - q));
      if (max > 0 && q >= max) expect(nb).toBe(0);
      cum = 0;
      for (let i = 0; i < na; i++) {
        const t = quoter.askTick(i, SLOT);
        const s = quoter.askQtyLot(i, SLOT);
        expect(Number.isInteger(t)).toBe(true);
        expect(Number.isInteger(s) && s >= 1).toBe(true);
        expect(t >= lo && t <= hi).toBe(true);
        if (i > 0) expect(t).toBeGreaterThan(quoter.askTick(i - 1, SLOT));
        cum += s;
      }
      if (max > 0) expect(cum).toBeLessThanOrEqual(Math.max(0, max + q));
      if (max > 0 && q <= -max) expect(na).toBe(0);
      if (nb > 0 && na > 0) expect(quoter.bidTick(0, SLOT)).toBeLessThan(quoter.askTick(0, SLOT));
      if (p.postOnly && b !== undefined) {
        if (nb > 0) expect(quoter.bidTick(0, SLOT)).toBeLessThan(b.bid + b.gap);
        if (na > 0) expect(quoter.askTick(0, SLOT)).toBeGreaterThan(b.bid);
      }
    }), { numRuns: 2000 });
    // the generators must mostly produce real two-sided ladders, or the checks above prove little
    expect(twoSided).toBeGreaterThan(runs / 4);
  });
});
