// Funding of the replica's USD-M perpetuals. A documented simple rule, not Binance's
// premium-index formula: every symbol's funding rate is one fixed rate (default
// 0.0001, i.e. 0.01 % per interval, the `interestRate` of the premiumIndex example in
// Binance's "Mark Price" docs), and funding happens at every multiple of the interval since the
// Unix epoch (with the default 8 h: 00:00, 08:00 and 16:00 UTC, as on Binance). At each
// funding time, for every non-zero position:
//   income = −positionAmt × markPrice × rate, rounded half away from zero to 1e-8 USDT
// (a long pays a positive rate, a short receives it), where markPrice is the replica's
// mark (the book's mid). The income is booked to the wallet, pushed on the user-data
// stream as an ACCOUNT_UPDATE with reason FUNDING_FEE (cross margin: the balance only,
// no position, as the docs' "Event: Balance and Position Update" says), and kept as a
// FUNDING_FEE record for GET /fapi/v1/income.
import { E8, divRound, formatE8, parseE8 } from './fixed.js';

export const DEFAULT_FUNDING_INTERVAL_MS = 8 * 3_600_000;
export const DEFAULT_FUNDING_RATE = '0.0001';

export interface FundingSettings {
  readonly intervalMs: number;
  /** 1e-8 units: 0.0001 is 10_000n. */
  readonly rateE8: bigint;
}

/** The funding interval and rate, checked (a rate of at most 8 decimals, an interval of at least 1 s). */
export function fundingSettings(intervalMs = DEFAULT_FUNDING_INTERVAL_MS, rate = DEFAULT_FUNDING_RATE): FundingSettings {
  if (!Number.isSafeInteger(intervalMs) || intervalMs < 1000) throw new Error(`replica: the funding interval must be a whole number of ms of at least 1000, got ${intervalMs}`);
  const rateE8 = parseE8(rate);
  if (rateE8 === null || rateE8 <= -E8 || rateE8 >= E8) throw new Error(`replica: the funding rate must be a decimal with at most 8 decimals between -1 and 1, got ${JSON.stringify(rate)}`);
  return { intervalMs, rateE8 };
}

/** The first funding time strictly after `nowMs`. */
export function nextFundingTimeMs(nowMs: number, intervalMs: number): number {
  return (Math.floor(nowMs / intervalMs) + 1) * intervalMs;
}

/** −position value × rate, 1e-8 USDT: `signedValueE8` is positionAmt × markPrice (negative for a short). */
export function fundingIncomeE8(signedValueE8: bigint, rateE8: bigint): bigint {
  return -divRound(signedValueE8 * rateE8, E8);
}

export function formatRate(rateE8: bigint): string {
  return formatE8(rateE8);
}
