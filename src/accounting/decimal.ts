// The accounting's own decimal.js configuration (a clone, so nothing else that
// uses decimal.js can change it) and strict parsing of the exact decimal strings
// that fills, marks and parameters carry.
//
// 60 significant digits: sums and products of grid prices and quantities are
// exact; only divisions (average entry, pro-rata splits, ratios) round, half to
// even, far below any currency's smallest unit.
import { Decimal as DecimalJs } from 'decimal.js';
import { SpreadcoreError } from '../errors.js';

export const Decimal = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -40,
  toExpPos: 60,
});
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);
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
