// configView(): the `config` object of seed 000's POST /api/strategy/load answer.
import type { StrategyParams } from './param-types.js';

export type ConfigView =
  | { spread_bps: number; half_spread_bps: number; order_size: number; max_position: number; quote_levels: number }
  | { spread_price: number; half_spread_price: number; order_size: number; max_position: number; quote_levels: number };

/** Seed 000: `{spread_bps 4.0, half_spread_bps 2.0, order_size 0.001, max_position 0.01, quote_levels 3}`; a price-unit spread shows as spread_price / half_spread_price. */
export function configView(p: StrategyParams): ConfigView {
  const rest = { order_size: p.order_size, max_position: p.max_position, quote_levels: p.quote_levels };
  if (p.spread_bps !== null) return { spread_bps: p.spread_bps, half_spread_bps: p.spread_bps / 2, ...rest };
  const spread = p.spread_price ?? 0;
  return { spread_price: spread, half_spread_price: spread / 2, ...rest };
}
