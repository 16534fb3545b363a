// Guéant–Lehalle–Fernandez-Tapia closed-form asymptotic quotes (Guéant 2017,
// ξ = γ, Δ = 1): the ladder against an evaluation of the formula written here.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import * as L from '../src/wasm/layout.js';

const quoter = new WasmQuoter(instantiateCore('debug'));

interface Glft { gamma: number; sigma: number; k: number; a: number }

/** Optimal depths (price units) for inventory q in order-size units. */
function depths(p: Glft, q: number): { bid: number; ask: number } {
  const c1 = (1 / p.gamma) * Math.log(1 + p.gamma / p.k);
  const c2 = Math.sqrt((p.gamma / (2 * p.a * p.k)) * Math.pow(1 + p.gamma / p.k, p.k / p.gamma + 1));
  return { bid: c1 + p.sigma * c2 * (q + 0.5), ask: c1 + p.sigma * c2 * (0.5 - q) };
}

describe('GLFT closed-form quotes', () => {
  const p: Glft = { gamma: 0.05, sigma: 0.3, k: 0.8, a: 140 };
  const tick = 0.01;
  const s = 100;
  const fairTick = s / tick;
  quoter.configure(0, { model: 'glft', ...p, tickSize: tick, orderSizeLot: 2 });

  for (const inventoryLot of [-6, -2, 0, 2, 6]) {
    it(`inventory ${inventoryLot} lots (q = ${inventoryLot / 2}): bid s − δb, ask s + δa`, () => {
      const q = inventoryLot / 2;
      const d = depths(p, q);
      const ladder = quoter.ladder(0, -1, fairTick, inventoryLot);
      const bidRaw = (s - d.bid) / tick;
      const askRaw = (s + d.ask) / tick;
      const bid = ladder.bids[0]!.tick;
      const ask = ladder.asks[0]!.tick;
      expect(bid).toBeLessThanOrEqual(bidRaw + 1e-6);
      expect(bid).toBeGreaterThan(bidRaw - 1);
      expect(ask).toBeGreaterThanOrEqual(askRaw - 1e-6);
      expect(ask).toBeLessThan(askRaw + 1);
      // centre and half-spread of the two quotes
      expect(ladder.reservationTick).toBeCloseTo((bidRaw + askRaw) / 2, 6);
      expect(ladder.halfSpreadTicks).toBeCloseTo((askRaw - bidRaw) / 2, 6);
    });
  }

  it('is symmetric when flat and skews down when long', () => {
    const flat = quoter.ladder(0, -1, fairTick, 0);
    expect(flat.skewTicks).toBe(0);
    expect(fairTick - flat.bids[0]!.tick).toBe(flat.asks[0]!.tick - fairTick);
    const long = quoter.ladder(0, -1, fairTick, 4);
    expect(long.skewTicks).toBeLessThan(0);
    expect(long.bids[0]!.tick).toBeLessThan(flat.bids[0]!.tick);
    expect(long.asks[0]!.tick).toBeLessThan(flat.asks[0]!.tick);
  });

  it('agrees with the formula over random parameters', () => {
    fc.assert(fc.property(
      fc.double({ min: 0.001, max: 5, noNaN: true }),
      fc.double({ min: 0, max: 3, noNaN: true }),
      fc.double({ min: 0.05, max: 20, noNaN: true }),
      fc.double({ min: 0.5, max: 1000, noNaN: true }),
      fc.integer({ min: -20, max: 20 }),
      (gamma, sigma, k, a, q) => {
        const params = { gamma, sigma, k, a };
        quoter.configure(1, { model: 'glft', ...params, tickSize: tick, orderSizeLot: 1, levels: 1 });
        const status = quoter.compute(1, -1, fairTick, q);
        if ((quoter.flags(1) & L.QF_BAD_PARAMS) !== 0) return; // overflowing corner: nothing quoted
        const d = depths(params, q);
        const bidRaw = (s - d.bid) / tick;
        const askRaw = (s + d.ask) / tick;
        expect(quoter.reservationTick(1)).toBeCloseTo((bidRaw + askRaw) / 2, 4);
        expect(quoter.halfSpreadTicks(1)).toBeCloseTo((askRaw - bidRaw) / 2, 4);
        if ((status & 0xff) > 0) {
          expect(quoter.bidTick(0, 1)).toBeLessThanOrEqual(bidRaw + 1e-6);
          expect(quoter.bidTick(0, 1)).toBeGreaterThan(bidRaw - 1.000001);
        }
        if ((status >>> 8) > 0) {
          expect(quoter.askTick(0, 1)).toBeGreaterThanOrEqual(askRaw - 1e-6);
          expect(quoter.askTick(0, 1)).toBeLessThan(askRaw + 1.000001);
        }
      },
    ), { numRuns: 300 });
  });

  it('quotes nothing when A is not positive (written straight to memory)', () => {
    quoter.configure(2, { model: 'glft', ...p, tickSize: tick, orderSizeLot: 1 });
    quoter.core.f64[L.QUOTE_PARAMS_OFFSET / 8 + 2 * L.QUOTE_PARAM_SLOTS + L.QP_A] = 0;
    expect(quoter.compute(2, -1, fairTick, 0)).toBe(0);
    expect(quoter.flags(2)).toBe(L.QF_BAD_PARAMS);
  });
});
