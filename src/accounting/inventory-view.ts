// The inventory JSON of GET /api/strategy/{id}/inventory (seed 000's shape) and
// its recommendation.
//
// pct_of_max = |position| / max_position × 100. The recommendation follows the
// seeds' soft and hard limits: below skewAtPct (default 50 %, "start skewing at
// 50 % of max") "none"; from there to below reduceAtPct (default 100 %)
// "increase_skew"; at or above it "reduce_inventory".
import { SpreadcoreError } from '../errors.js';
import { Decimal, ZERO, toDecimal } from './decimal.js';
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber } from './json-number.js';
import { summarizeLedger } from './ledger-summary.js';
import type { SymbolLedger } from './symbol-ledger.js';

export type InventoryDirection = 'long' | 'short' | 'flat';
export type InventoryRecommendation = 'none' | 'increase_skew' | 'reduce_inventory';

export interface InventoryJson {
  strategy_id: string;
  inventory: {
    position: number;
    direction: InventoryDirection;
    /** 0 when flat. */
    avg_entry: number;
    /** The price unrealized P&L is measured at; 0 before any mark or fill. */
    current_price: number;
    unrealized_pnl: number;
    pct_of_max: number;
  };
  recommendation: InventoryRecommendation;
}

export interface InventoryViewOptions {
  strategyId?: string;
  /**
   * The strategy's max_position (same unit as the position); null when the account may hold
   * no whole lot, or its limit has no price to be sized at yet (the manual account): pct_of_max
   * is then 0 when flat, else 100.
   */
  maxPosition: string | number | null;
  /** Price for unrealized P&L; defaults to the last mark, else the last fill price. */
  markPrice?: string;
  skewAtPct?: number;
  reduceAtPct?: number;
  precision?: JsonPrecision;
}

export function recommendInventory(pctOfMax: Decimal, skewAtPct = 50, reduceAtPct = 100): InventoryRecommendation {
  if (pctOfMax.gte(reduceAtPct)) return 'reduce_inventory';
  if (pctOfMax.gte(skewAtPct)) return 'increase_skew';
  return 'none';
}

export function inventoryView(ledger: SymbolLedger, o: InventoryViewOptions): InventoryJson {
  const p = o.precision ?? DEFAULT_JSON_PRECISION;
  let max: Decimal | null = null;
  if (o.maxPosition !== null) {
    max = toDecimal(o.maxPosition, 'max_position');
    if (!max.gt(0)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `max_position must be > 0, got ${String(o.maxPosition)}`);
  }
  const x = summarizeLedger(ledger, o.markPrice);
  const pos = x.position;
  const pctOfMax = max !== null ? pos.abs().div(max).times(100) : new Decimal(pos.isZero() ? 0 : 100);
  return {
    strategy_id: o.strategyId ?? ledger.config.strategyId ?? '',
    inventory: {
      position: jsonNumber(pos),
      direction: pos.isZero() ? 'flat' : pos.isPositive() ? 'long' : 'short',
      avg_entry: jsonNumber(x.avgEntry ?? ZERO, p.moneyDp),
      current_price: jsonNumber(x.markPrice ?? ZERO, p.moneyDp),
      unrealized_pnl: jsonNumber(x.unrealizedPnl, p.moneyDp),
      pct_of_max: jsonNumber(pctOfMax, p.pctDp),
    },
    recommendation: recommendInventory(pctOfMax, o.skewAtPct, o.reduceAtPct),
  };
}
