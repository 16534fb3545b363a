// The split of one funding payment between the accounts holding positions on its
// symbol. The venue charges the account's net position: payment = −net × mark × rate,
// so each holder's share is payment × its position / the net position (signed: with a
// long and a short on one symbol, the long pays and the short receives). Shares are
// rounded to `dp` decimals (at least the payment's own) and the rounding remainder goes
// to the holder with the largest |position| (the first of them on a tie), so the shares
// add up to the payment exactly.
import { SpreadcoreError } from '../errors.js';
import { Decimal, ZERO, parseDecimal } from './decimal.js';

export interface FundingHolder {
  readonly strategyId: string | null;
  /** Signed position at the funding time, plain decimal string. */
  readonly position: string;
}

export interface FundingShare {
  readonly strategyId: string | null;
  readonly fundingQuote: Decimal;
  /** fundingQuote with the payment's decimals (at least `dp`): one holder's share reads as the venue's amount. */
  readonly fundingText: string;
}

/**
 * The shares of `fundingQuote` (a plain decimal string) between `holders`, in their order;
 * holders with no position get none. Empty when no one holds a position or the positions
 * net to zero (the venue charged a position the holders do not make up).
 */
export function splitFunding(fundingQuote: string, holders: readonly FundingHolder[], dp = 8): FundingShare[] {
  const total = parseDecimal(fundingQuote, 'funding amount');
  const held = holders
    .map((h) => ({ strategyId: h.strategyId, position: parseDecimal(h.position, 'funding holder position') }))
    .filter((h) => !h.position.isZero());
  const net = held.reduce((a, h) => a.plus(h.position), ZERO);
  if (held.length === 0 || net.isZero()) return [];
  if (!Number.isInteger(dp) || dp < 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `funding split decimals must be a non-negative integer, got ${dp}`);
  const places = Math.max(dp, fundingQuote.split('.')[1]?.length ?? 0);
  const amounts = held.map((h) => total.times(h.position).div(net).toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN));
  let largest = 0;
  for (let i = 1; i < held.length; i++) if (held[i]!.position.abs().gt(held[largest]!.position.abs())) largest = i;
  amounts[largest] = amounts[largest]!.plus(total.minus(amounts.reduce((a, x) => a.plus(x), ZERO)));
  return held.map((h, i) => ({ strategyId: h.strategyId, fundingQuote: amounts[i]!, fundingText: amounts[i]!.toFixed(places) }));
}
