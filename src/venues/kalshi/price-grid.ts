// Kalshi's price grids and the instruments built on them (docs.kalshi.com
// getting_started/fixed_point_migration, "Price Level Structures"):
//   linear_cent        $0.00-$1.00 tick $0.01
//   tapered_deci_cent  $0.00-$0.10 tick $0.001, $0.10-$0.90 tick $0.01, $0.90-$1.00 tick $0.001
//   deci_cent          $0.00-$1.00 tick $0.001
// A market's `price_ranges` array gives its exact intervals; when present it wins.
//
// The engine's instrument needs one tick: linear_cent → 0.01; deci_cent and tapered_deci_cent
// → 0.001. A tapered market accepts only whole cents between $0.10 and $0.90, so
// `isValidPriceTick` checks each order price against the ranges and the venue refuses an
// off-grid one locally (`price_off_grid`) before anything is sent.
//
// Counts are fixed-point strings with 2 decimals (`*_fp`). The lot is 1 contract by default,
// so "10.00" is 10 lots and "10.50" is off the grid (never parseFloat); a 0.01 lot takes
// fractional counts (see kalshiInstrument).
import { Instrument } from '../../orderbook/instrument.js';
import { DecimalGrid } from '../../numeric/decimal-grid.js';

export type PriceLevelStructure = 'linear_cent' | 'tapered_deci_cent' | 'deci_cent';

/** One valid price interval: prices in [start, end] on multiples of step (all in 1/10000 dollars). */
export interface PriceRange { readonly startE4: number; readonly endE4: number; readonly stepE4: number }

const E4 = new DecimalGrid('0.0001');

export const STRUCTURE_RANGES: Readonly<Record<PriceLevelStructure, readonly PriceRange[]>> = Object.freeze({
  linear_cent: [{ startE4: 0, endE4: 10000, stepE4: 100 }],
  tapered_deci_cent: [{ startE4: 0, endE4: 1000, stepE4: 10 }, { startE4: 1000, endE4: 9000, stepE4: 100 }, { startE4: 9000, endE4: 10000, stepE4: 10 }],
  deci_cent: [{ startE4: 0, endE4: 10000, stepE4: 10 }],
});

export function isPriceLevelStructure(s: unknown): s is PriceLevelStructure {
  return s === 'linear_cent' || s === 'tapered_deci_cent' || s === 'deci_cent';
}

/** The instrument tick of a structure (the finest step it uses). */
export function tickSizeOf(structure: PriceLevelStructure): string {
  return structure === 'linear_cent' ? '0.01' : '0.001';
}

/** Dollar string → 1/10000 dollars, NaN when not a plain decimal on that grid. */
export function dollarsToE4(s: string): number { return E4.toUnitsOrNaN(s); }

/**
 * A market's price ranges from its `price_ranges` field when it parses
 * ([{start, end, step}] dollar strings — the field names are not confirmed by the docs we
 * could read, see docs/kalshi.md), else from its structure.
 */
export function priceRangesOf(structure: PriceLevelStructure, priceRanges?: unknown): readonly PriceRange[] {
  if (Array.isArray(priceRanges) && priceRanges.length > 0) {
    const out: PriceRange[] = [];
    for (const r of priceRanges as Array<Record<string, unknown>>) {
      const s = dollarsToE4(String(r?.['start'])), e = dollarsToE4(String(r?.['end'])), st = dollarsToE4(String(r?.['step']));
      if (!(st > 0) || Number.isNaN(s) || Number.isNaN(e) || e < s) return STRUCTURE_RANGES[structure];
      out.push({ startE4: s, endE4: e, stepE4: st });
    }
    return out;
  }
  return STRUCTURE_RANGES[structure];
}

/**
 * The engine instrument of a Kalshi market's YES contract. The lot is one contract by
 * default; pass '0.01' to trade fractional counts (Kalshi's changelog, Apr 17 2026: every
 * active market accepts fractional counts, the smallest being 0.01 contracts).
 */
export function kalshiInstrument(ticker: string, structure: PriceLevelStructure, lotSize: '1' | '0.1' | '0.01' = '1'): Instrument {
  return new Instrument({ symbol: ticker, tickSize: tickSizeOf(structure), lotSize, kind: 'binary' });
}

/** Whether a YES price in instrument ticks is tradable: strictly between $0 and $1 and on one of the ranges. */
export function isValidPriceTick(inst: Instrument, ranges: readonly PriceRange[], tick: number): boolean {
  if (!Number.isSafeInteger(tick) || tick <= 0) return false;
  const e4 = E4.toUnitsOrNaN(inst.price.format(tick));
  if (!(e4 > 0 && e4 < 10000)) return false;
  for (const r of ranges) {
    if (e4 >= r.startE4 && e4 <= r.endE4 && (e4 - r.startE4) % r.stepE4 === 0) return true;
  }
  return false;
}

/** The NO price of a YES price, in the same ticks: $1 − p. */
export function complementTick(inst: Instrument, tick: number): number {
  return inst.price.toUnits('1') - tick;
}
