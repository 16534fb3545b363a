// Kalshi's trading fee (the fee schedule's quadratic formula; docs.kalshi.com
// getting_started/fee_rounding for the rounding):
//   trade fee = rate · C · P · (1 − P), rate 0.07 for takers, 0.0175 for makers on series
//   that charge maker fees (0 on the others).
// Rounding (fee_rounding): the trade fee is rounded UP to $0.0001; the fill's balance change
// (revenue − trade fee, revenue negative for a buyer) is floored to the member's balance
// precision ($0.01 for non-direct members, $0.0001 for direct members) and the difference is
// a rounding fee. Net fee = trade fee + rounding fee. For a single fill at a whole-cent price
// with a $0.01 precision this is the schedule's "rounded up to the next cent":
// 10 contracts at $0.50 taker → 0.175 → $0.18.
// The per-order fee accumulator (rebates of overpaid rounding across many fills of one
// order) is not modelled: each fill is charged as if alone (documented in docs/kalshi.md).
//
// Exact integer arithmetic (BigInt), never floats: prices in 1/10000 dollars, counts in
// 1/100 contracts, rates in millionths.
import { DecimalGrid } from '../../numeric/decimal-grid.js';

export const TAKER_RATE = '0.07';
export const MAKER_RATE = '0.0175';

const E4 = new DecimalGrid('0.0001');
const E2 = new DecimalGrid('0.01');
const E6 = new DecimalGrid('0.000001');

export interface FeeInput {
  /** Contracts, a decimal string ("10", "10.00"). */
  readonly count: string;
  /** Price paid per contract for the side traded, dollars ("0.50", "0.055"). */
  readonly price: string;
  /** 0.07 (taker), 0.0175 (maker) or "0". */
  readonly rate: string;
  /** Buyer (pays C·P) or seller (receives C·P); matters only for the rounding fee. Default buy. */
  readonly buyer?: boolean;
  /** Balance precision: "0.01" (default, non-direct members) or "0.0001" (direct members). */
  readonly precision?: '0.01' | '0.0001';
}

function need(v: number, what: string): bigint {
  if (Number.isNaN(v) || v < 0) throw new Error(`${what} is not a non-negative decimal on its grid`);
  return BigInt(v);
}

/** The trade fee before balance rounding, rounded up to $0.0001, as 1/10000 dollars. */
export function tradeFeeE4(count: string, price: string, rate: string): bigint {
  const c = need(E2.toUnitsOrNaN(count), `count ${JSON.stringify(count)}`);
  const p = need(E4.toUnitsOrNaN(price), `price ${JSON.stringify(price)}`);
  const r = need(E6.toUnitsOrNaN(rate), `rate ${JSON.stringify(rate)}`);
  if (p > 10000n) throw new Error(`price ${price} is above $1`);
  // r·1e-6 · c·1e-2 · p·1e-4 · (10000−p)·1e-4 = raw·1e-16 dollars; in 1e-4 dollars: raw / 1e12, rounded up
  const raw = r * c * p * (10000n - p);
  const d = 1_000_000_000_000n;
  return (raw + d - 1n) / d;
}

/** The net fee of one fill (trade fee + rounding fee), an exact dollar string with 4 decimals. */
export function kalshiFee(f: FeeInput): string {
  const fee = tradeFeeE4(f.count, f.price, f.rate) * 100n; // in 1e-6 dollars
  const c = BigInt(E2.toUnitsOrNaN(f.count));
  const p = BigInt(E4.toUnitsOrNaN(f.price));
  const notional = c * p; // 1e-6 dollars
  const revenue = f.buyer === false ? notional : -notional;
  const unit = f.precision === '0.0001' ? 100n : 10_000n; // precision in 1e-6 dollars
  const change = revenue - fee;
  const floored = change >= 0n ? (change / unit) * unit : -(((-change) + unit - 1n) / unit) * unit;
  const net = revenue - floored; // trade fee + rounding fee, ≥ 0, a multiple of 1e-6
  return E6.format(Number(net)).replace(/(\.\d{4})\d{2}$/, (m, g: string) => (m.endsWith('00') ? g : m));
}

/** Taker fee of one fill at the default $0.01 precision. */
export function takerFee(count: string, price: string, buyer = true): string { return kalshiFee({ count, price, rate: TAKER_RATE, buyer }); }
/** Maker fee of one fill on a series that charges maker fees. */
export function makerFee(count: string, price: string, buyer = true): string { return kalshiFee({ count, price, rate: MAKER_RATE, buyer }); }
