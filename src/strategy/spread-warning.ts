// The break-even check of seed 001 on a strategy's parameters: a market maker pays
// the maker fee on both legs of a round trip, so a total spread below 2 × maker fee
// loses money on every round trip. Reported with load and parameter changes.
import { checkSpread } from '../accounting/break-even-spread.js';
import type { StrategyParams } from './params/param-types.js';

export interface SpreadWarning {
  readonly code: 'spread_below_break_even';
  readonly spread_bps: number;
  readonly break_even_spread_bps: number;
  readonly message: string;
}

/**
 * A warning when the configured total spread is below break-even, else null.
 * A spread given in price units is converted at midPrice; without one it cannot be
 * judged and no warning is given.
 */
export function spreadWarning(p: StrategyParams, midPrice?: number): SpreadWarning | null {
  let spreadBps: number | null = p.spread_bps;
  if (spreadBps === null && p.spread_price !== null && midPrice !== undefined && midPrice > 0) {
    spreadBps = (p.spread_price / midPrice) * 1e4;
  }
  if (spreadBps === null || !Number.isFinite(spreadBps)) return null;
  const c = checkSpread(spreadBps, { feeBps: p.maker_fee_bps });
  if (!c.belowBreakEven) return null;
  const min = c.minSpreadBps.toNumber();
  return {
    code: 'spread_below_break_even',
    spread_bps: Number(spreadBps.toFixed(4)),
    break_even_spread_bps: min,
    message: `spread ${Number(spreadBps.toFixed(4))} bps is below the break-even spread of ${min} bps (2 × maker fee ${p.maker_fee_bps} bps): every round trip loses money`,
  };
}
