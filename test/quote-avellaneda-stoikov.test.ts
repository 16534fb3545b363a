// Avellaneda & Stoikov (2008): total spread γσ²τ + (2/γ)ln(1 + γ/k) around the
// reservation price r = s − qγσ²τ. Expected values are evaluated here from the
// formula and compared with the ladder's level-0 quotes in price units.
import { describe, it, expect } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import * as L from '../src/wasm/layout.js';

const quoter = new WasmQuoter(instantiateCore('debug'));
const TICK = 1e-4; // price units per tick
const S = 100; // mid, price units
const FAIR_TICK = S / TICK; // 1,000,000 ticks
const sigma = 2;
const k = 1.5;
const tau = 1;

function asSpread(gamma: number): number {
  return gamma * sigma * sigma * tau + (2 / gamma) * Math.log(1 + gamma / k);
}

describe('Avellaneda–Stoikov optimal spread (σ = 2, k = 1.5, T − t = 1)', () => {
  it('matches the worked value for γ = 0.1: 0.4 + 20 ln(1 + 0.1/1.5) ≈ 1.6908', () => {
    expect(asSpread(0.1)).toBeCloseTo(1.6908, 4);
  });

  for (const gamma of [0.1, 0.01, 1]) {
    it(`γ = ${gamma}: ask0 − bid0 equals the formula to within the outward rounding`, () => {
      quoter.configure(0, { model: 'avellaneda_stoikov', gamma, sigma, k, horizon: tau, tickSize: TICK, orderSizeLot: 1 });
      const ladder = quoter.ladder(0, -1, FAIR_TICK, 0);
      const expected = asSpread(gamma);
      const quoted = (ladder.asks[0]!.tick - ladder.bids[0]!.tick) * TICK;
      // bids round down and asks up, each by less than one tick
      expect(quoted).toBeGreaterThanOrEqual(expected - 1e-9);
      expect(quoted).toBeLessThan(expected + 2 * TICK);
      expect(2 * ladder.halfSpreadTicks * TICK).toBeCloseTo(expected, 9);
      expect(ladder.reservationTick).toBe(FAIR_TICK);
    });
  }

  for (const gamma of [0.1, 0.01, 1]) {
    it(`γ = ${gamma}: reservation price r = s − qγσ²τ with q = 3 order sizes (15 lots of 5)`, () => {
      quoter.configure(1, { model: 'avellaneda_stoikov', gamma, sigma, k, horizon: tau, tickSize: TICK, orderSizeLot: 5 });
      const q = 3;
      const r = S - q * gamma * sigma * sigma * tau;
      const ladder = quoter.ladder(1, -1, FAIR_TICK, 15);
      expect(ladder.reservationTick * TICK).toBeCloseTo(r, 9);
      expect(ladder.skewTicks * TICK).toBeCloseTo(r - S, 9);
      expect(ladder.flags & L.QF_SKEWED).toBe(L.QF_SKEWED);
      const half = asSpread(gamma) / 2;
      expect(ladder.bids[0]!.tick).toBe(Math.floor((r - half) / TICK + 1e-6));
      expect(ladder.asks[0]!.tick).toBe(Math.ceil((r + half) / TICK - 1e-6));
      // short inventory moves the reservation price up by the same amount
      const short = quoter.ladder(1, -1, FAIR_TICK, -15);
      expect(short.reservationTick * TICK).toBeCloseTo(S + q * gamma * sigma * sigma * tau, 9);
    });
  }

  it('the spread widens with time left and the inventory term vanishes at T', () => {
    quoter.configure(2, { model: 'avellaneda_stoikov', gamma: 0.1, sigma, k, horizon: 0, tickSize: TICK, orderSizeLot: 1 });
    const atEnd = quoter.ladder(2, -1, FAIR_TICK, 7);
    expect(atEnd.reservationTick).toBe(FAIR_TICK);
    expect(2 * atEnd.halfSpreadTicks * TICK).toBeCloseTo((2 / 0.1) * Math.log(1 + 0.1 / k), 9);
    quoter.update(2, { horizon: 2 });
    expect(quoter.ladder(2, -1, FAIR_TICK, 7).halfSpreadTicks).toBeGreaterThan(atEnd.halfSpreadTicks);
  });

  it('spread multiplier and min/max clamps still apply', () => {
    quoter.configure(3, { model: 'avellaneda_stoikov', gamma: 0.1, sigma, k, horizon: tau, tickSize: TICK, orderSizeLot: 1, spreadMult: 2 });
    expect(2 * quoter.ladder(3, -1, FAIR_TICK, 0).halfSpreadTicks * TICK).toBeCloseTo(2 * asSpread(0.1), 9);
    quoter.update(3, { spreadMult: 1, maxSpreadTicks: 10_000 });
    const clamped = quoter.ladder(3, -1, FAIR_TICK, 0);
    expect(clamped.halfSpreadTicks).toBe(5_000);
    expect(clamped.flags & L.QF_MAX_SPREAD_CLAMP).toBe(L.QF_MAX_SPREAD_CLAMP);
  });

  it('quotes nothing when γ, k or the tick size is not positive (written straight to memory)', () => {
    quoter.configure(4, { model: 'avellaneda_stoikov', gamma: 0.1, sigma, k, horizon: tau, tickSize: TICK, orderSizeLot: 1 });
    const base = L.QUOTE_PARAMS_OFFSET / 8 + 4 * L.QUOTE_PARAM_SLOTS;
    for (const idx of [L.QP_GAMMA, L.QP_K, L.QP_TICK_SIZE]) {
      const saved = quoter.core.f64[base + idx]!;
      quoter.core.f64[base + idx] = 0;
      expect(quoter.compute(4, -1, FAIR_TICK, 0)).toBe(0);
      expect(quoter.flags(4)).toBe(L.QF_BAD_PARAMS);
      quoter.core.f64[base + idx] = saved;
    }
    expect(quoter.compute(4, -1, FAIR_TICK, 0)).toBe(1 | (1 << 8));
  });
});
