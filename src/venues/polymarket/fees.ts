// Polymarket's platform fee: takers pay fee = C × rate × (p × (1 − p))^exponent in pUSD,
// C shares at price p, with the market's fee schedule (rate, exponent); makers pay nothing
// (they earn rebates, paid separately). Sources: VENUES.md; clob-client-v2 src/fees/index.ts
// (platformFeeRate = feeRate × (price × (1 − price)) ** feeExponent) and the client's
// per-market fee info {rate: fd.r, exponent: fd.e} (client.ts getClobMarketInfo). The
// rounding — floored to 5 decimals (0.00001 pUSD) — is what NautilusTrader's adapter
// documents as the venue's charge; Polymarket's own page was not in reach, see docs/polymarket.md.
import { Decimal } from 'decimal.js';

export interface FeeSchedule {
  /** e.g. "0.03" for 3 %. */
  readonly rate: string;
  /** A whole number ≥ 0 (1 gives the p(1 − p) curve). */
  readonly exponent: number;
}

export const FEE_DECIMALS = 5;

/** The fee of a fill as an exact decimal string (pUSD); "0" for a maker. */
export function polymarketFee(shares: string, price: string, schedule: FeeSchedule, liquidity: 'MAKER' | 'TAKER'): string {
  if (liquidity === 'MAKER') return '0';
  const e = schedule.exponent;
  if (!Number.isInteger(e) || e < 0 || e > 16) throw new RangeError(`fee exponent must be a whole number 0..16, got ${e}`);
  const c = new Decimal(shares);
  const p = new Decimal(price);
  const r = new Decimal(schedule.rate);
  if (c.isNeg() || r.isNeg() || p.lt(0) || p.gt(1)) throw new RangeError('fee inputs out of range');
  const fee = c.mul(r).mul(p.mul(new Decimal(1).sub(p)).pow(e));
  return fee.toDecimalPlaces(FEE_DECIMALS, Decimal.ROUND_DOWN).toFixed();
}
