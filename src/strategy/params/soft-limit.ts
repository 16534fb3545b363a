// The inventory soft limit: where skewing starts.
import type { StrategyParams } from './param-types.js';

/** inventory_skew_threshold, else rebalance_threshold, else 50% of max_position (seed 003). */
export function effectiveSoftLimit(p: StrategyParams): number {
  return p.inventory_skew_threshold ?? p.rebalance_threshold ?? p.max_position / 2;
}
