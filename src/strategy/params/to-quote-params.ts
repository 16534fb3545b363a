// toQuoteParams(): canonical parameters + an instrument → the WASM quote ladder's
// QuoteParams (src/wasm/quote-api.ts). Prices become ticks and quantities lots through
// the decimal forms (exact whenever the result is a whole number); bps stay bps.
// Live inputs (volatility multiplier, imbalance, regime) are the strategy's to update.
import type { Instrument } from '../../orderbook/instrument.js';
import { validateQuoteParams, type QuoteParams, type SkewModeName } from '../../wasm/quote-api.js';
import type { ParamName, StrategyParams } from './param-types.js';
import { decimalMulDiv, decimalRatio } from './param-decimal.js';
import { instrumentIssues } from './instrument-checks.js';
import { ParameterError, formatValue } from './param-errors.js';
import { effectiveSoftLimit } from './soft-limit.js';

/** Binary contracts trade between 1 and 99 cents. */
const BINARY_MIN_PRICE = '0.01';
const BINARY_MAX_PRICE = '0.99';

function badParam(field: string, message: string): never {
  throw new ParameterError([{ field, message }]);
}

/**
 * midPrice (price units) turns `sigma_bps` into price units for the avellaneda_stoikov
 * and glft models. Without it sigma is 0 here: a strategy leg converts sigma_bps at the
 * book's mid on every decision (or reads σ from the volatility estimator when
 * sigma_bps is null), so no check here depends on the market.
 */
export function toQuoteParams(p: StrategyParams, inst: Instrument, midPrice?: number | string): QuoteParams {
  const issues = instrumentIssues(p, inst, (f: ParamName) => `${f} ${formatValue(p[f])}`);
  if (issues.length > 0) throw new ParameterError(issues);
  const tick = inst.tickSize;
  const lot = inst.lotSize;
  const ticks = (price: number): number => decimalRatio(price, tick);
  const lots = (qty: number): number => decimalRatio(qty, lot);

  const halfSpreadTicks = p.spread_price === null ? 0 : ticks(p.spread_price) / 2;
  const halfSpreadBps = p.spread_bps === null ? 0 : p.spread_bps / 2;
  let levelSpacingBps = 0;
  let levelSpacingTicks = 0;
  if (p.level_spacing_bps !== null) levelSpacingBps = p.level_spacing_bps;
  else if (p.spread_bps !== null) levelSpacingBps = halfSpreadBps;
  else levelSpacingTicks = halfSpreadTicks;

  const skewMode: SkewModeName = p.inventory_skew ? p.skew_mode : 'none';

  let sigma = 0;
  if (p.sigma_bps !== null) {
    const mid = typeof midPrice === 'string' ? Number(midPrice) : midPrice;
    if (mid === undefined) {
      sigma = 0;
    } else if (!Number.isFinite(mid) || mid <= 0) {
      badParam('sigma_bps', `mid price must be a positive number to convert sigma_bps, got ${String(midPrice)}`);
    } else {
      sigma = (p.sigma_bps / 1e4) * mid;
    }
  }

  const binary = inst.kind === 'binary';
  const out: QuoteParams = {
    model: p.quote_model,
    levels: p.quote_levels,
    halfSpreadBps,
    halfSpreadTicks,
    levelSpacingBps,
    levelSpacingTicks,
    orderSizeLot: lots(p.order_size),
    skewMode,
    skewFactor: p.skew_factor,
    maxPositionLot: lots(p.max_position),
    softLimitLot: lots(effectiveSoftLimit(p)),
    adjTicksPerLot: decimalMulDiv(p.skew_price_per_unit, lot, tick),
    stepLot: lots(p.skew_step_size),
    stepAdjTicks: ticks(p.skew_step_price),
    softSpreadMult: p.inventory_spread_multiplier,
    minSpreadBps: p.min_spread_bps ?? 0,
    maxSpreadBps: p.max_spread_bps ?? 0,
    minSpreadTicks: p.min_spread_price === null ? 0 : ticks(p.min_spread_price),
    maxSpreadTicks: p.max_spread_price === null ? 0 : ticks(p.max_spread_price),
    spreadMult: p.spread_multiplier,
    bidSpreadMult: 1,
    askSpreadMult: 1,
    extraShiftTicks: 0,
    sizeMult: 1,
    postOnly: p.post_only,
    gamma: p.gamma,
    sigma,
    k: p.k,
    a: p.a,
    horizon: p.horizon_seconds,
    tickSize: Number(tick),
    lotSize: Number(lot),
    minPriceTick: binary ? Math.ceil(decimalRatio(BINARY_MIN_PRICE, tick)) : 0,
    maxPriceTick: binary ? Math.floor(decimalRatio(BINARY_MAX_PRICE, tick)) : 0,
    fairMode: p.fair_value,
    levelSizesLot: p.level_sizes.map(lots),
  };
  validateQuoteParams(out);
  return out;
}
