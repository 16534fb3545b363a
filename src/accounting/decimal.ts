// The accounting's own decimal.js configuration (a clone, so nothing else that
// uses decimal.js can change it) and strict parsing of the exact decimal strings
// that fills, marks and parameters carry.
//
// 80 significant digits, and every division whose result goes back into state
// (pro-rata shares of a position's cost, fees and time) rounded to DIV_DP = 30
// decimal places, half to even. Sums and products of grid prices and quantities
// are then exact, and so is every later addition or subtraction of those shares
// (30 decimal places plus up to 50 integer digits fit in 80 digits): closing a
// position in full gives back exactly what it cost, whatever the splits on the
// way. Only ratios that are shown and never stored round otherwise.
import { Decimal as DecimalJs } from 'decimal.js';
import { SpreadcoreError } from '../errors.js';

export const Decimal = DecimalJs.clone({
  precision: 80,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 60,
});
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);
export const DIV_DP = 30;
export const ONE = new Decimal(1);

const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

/**
 * A plain decimal string ("49990.0", "-0.05", "0.001") as a Decimal. Refuses
 * exponents, NaN, Infinity, hex, spaces and empty strings.
 */
export function parseDecimal(text: string, what: string): Decimal {
  if (typeof text !== 'string' || !PLAIN_DECIMAL.test(text)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL', `${what} must be a plain decimal string, got ${JSON.stringify(text)}`);
  }
  return new Decimal(text);
}

/** A decimal given as a Decimal, a plain decimal string or a finite JS number (parameters, config). */
export function toDecimal(value: Decimal | string | number, what: string): Decimal {
  if (value instanceof Decimal) return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL', `${what} must be finite, got ${value}`);
    }
    // String(x) is the shortest text that reads back as x: 0.1 stays 0.1.
    return new Decimal(String(value));
  }
  return parseDecimal(value, what);
}

/** Nanoseconds (bigint) as a Decimal. */
export function nsDecimal(ns: bigint): Decimal {
  return new Decimal(ns.toString());
}

/** a × b / c rounded half-to-even to DIV_DP decimal places: a pro-rata share kept in state. */
export function share(a: Decimal, b: Decimal, c: Decimal): Decimal {
  return a.times(b).div(c).toDecimalPlaces(DIV_DP, Decimal.ROUND_HALF_EVEN);
}
