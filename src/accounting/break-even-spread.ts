// Break-even spread (seed 001): the smallest quoted spread that pays both legs'
// fees, the expected slippage and the profit wanted per round trip, all in bps of
// price:
//   min_spread_bps = 2 × fee_bps + slippage_bps + desired_profit_bps
// (entry fee + exit fee when the two legs pay different rates). A maker rebate
// is a negative fee and lowers it. A configured spread below it loses money on
// every round trip that fills at the quotes: the check flags it.
import { SpreadcoreError } from '../errors.js';
import { type Decimal, toDecimal } from './decimal.js';

type DecimalLike = Decimal | string | number;

export interface BreakEvenInputs {
  /** Fee per side, bps (negative for a rebate). */
  feeBps: DecimalLike;
  /** Fee of the exit leg when it differs from the entry's, bps. Default: feeBps. */
  exitFeeBps?: DecimalLike;
  slippageBps?: DecimalLike;
  desiredProfitBps?: DecimalLike;
}

export function breakEvenSpreadBps(i: BreakEvenInputs): Decimal {
  const fee = toDecimal(i.feeBps, 'fee_bps');
  const exitFee = i.exitFeeBps === undefined ? fee : toDecimal(i.exitFeeBps, 'exit_fee_bps');
  const slippage = toDecimal(i.slippageBps ?? 0, 'slippage_bps');
  const profit = toDecimal(i.desiredProfitBps ?? 0, 'desired_profit_bps');
  if (slippage.isNegative()) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `slippage_bps must be >= 0, got ${String(i.slippageBps)}`);
  return fee.plus(exitFee).plus(slippage).plus(profit);
}

export interface SpreadCheck {
  minSpreadBps: Decimal;
  configuredSpreadBps: Decimal;
  /** configured − minimum: what each round trip keeps beyond the target, bps. */
  marginBps: Decimal;
  /** The warning: the configured spread is below the break-even spread. */
  belowBreakEven: boolean;
}

export function checkSpread(configuredSpreadBps: DecimalLike, i: BreakEvenInputs): SpreadCheck {
  const configured = toDecimal(configuredSpreadBps, 'spread_bps');
  const min = breakEvenSpreadBps(i);
  return { minSpreadBps: min, configuredSpreadBps: configured, marginBps: configured.minus(min), belowBreakEven: configured.lt(min) };
}

/** A fee rate in percent (0.05 for 0.05 %) as bps. */
export function percentToBps(pct: DecimalLike): Decimal {
  return toDecimal(pct, 'percent').times(100);
}
