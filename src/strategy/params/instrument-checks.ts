// Checks that need the instrument's grids: quote sizes are whole lots, a price-unit
// spread is at least one tick.
import type { Instrument } from '../../orderbook/instrument.js';
import type { StrategyParams } from './param-types.js';
import type { ParamRef } from './cross-field-rules.js';
import type { ParamIssue } from './param-errors.js';
import { decimalRatio, isWholeMultiple } from './param-decimal.js';

export function instrumentIssues(p: StrategyParams, inst: Instrument, ref: ParamRef): ParamIssue[] {
  const issues: ParamIssue[] = [];
  const lots = `lot size ${inst.lotSize} on ${inst.symbol}`;
  if (!isWholeMultiple(p.order_size, inst.lotSize)) {
    issues.push({ field: 'order_size', message: `${ref('order_size')} is not a whole number of lots (${lots})` });
  }
  p.level_sizes.forEach((size, i) => {
    if (!isWholeMultiple(size, inst.lotSize)) {
      issues.push({ field: 'level_sizes', message: `level_sizes[${i}] ${size} is not a whole number of lots (${lots})` });
    }
  });
  if (p.fair_value_price !== null && !isWholeMultiple(p.fair_value_price, inst.tickSize)) {
    issues.push({ field: 'fair_value_price', message: `${ref('fair_value_price')} is not on the tick grid (tick size ${inst.tickSize} on ${inst.symbol})` });
  }
  if (p.spread_price !== null && decimalRatio(p.spread_price, inst.tickSize) < 1) {
    issues.push({ field: 'spread_price', message: `${ref('spread_price')} is less than one tick (tick size ${inst.tickSize} on ${inst.symbol})` });
  }
  return issues;
}
