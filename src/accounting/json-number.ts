// The one place a decimal becomes a JSON number, at the very end of a view.
//
// Quantities and fill prices are exact grid values and are converted as they are:
// Number(decimal text), the double nearest to the exact decimal, which prints
// back as the same digits up to 15 significant digits. Money (P&L, fees,
// drawdown, markouts), average prices, percentages, durations and ratios may
// come out of a division, so they are first rounded half-to-even to a fixed
// number of decimal places (JsonPrecision), which leaves exact values such as
// 0.05 or 392 untouched. The exact decimals stay available from the ledger and
// its summary.
import { Decimal } from './decimal.js';

export interface JsonPrecision {
  /** Money and averaged prices (P&L, fees, drawdown, average entry, markouts). */
  moneyDp: number;
  /** Percentages. */
  pctDp: number;
  /** Durations in seconds. */
  secondsDp: number;
  /** Dimensionless ratios (Sharpe, Sortino, cancel-to-fill). */
  ratioDp: number;
}

export const DEFAULT_JSON_PRECISION: JsonPrecision = { moneyDp: 10, pctDp: 4, secondsDp: 3, ratioDp: 4 };

/** `d` as a JSON number; rounded half-to-even to `dp` decimal places when given. Never −0. */
export function jsonNumber(d: Decimal, dp?: number): number {
  const v = dp === undefined ? d : d.toDecimalPlaces(dp, Decimal.ROUND_HALF_EVEN);
  const n = Number(v.toString());
  return n === 0 ? 0 : n;
}

/** `jsonNumber`, with null for a missing value. */
export function jsonNumberOrNull(d: Decimal | null, dp?: number): number | null {
  return d === null ? null : jsonNumber(d, dp);
}
