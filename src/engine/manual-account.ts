// The manual account: orders placed through POST /api/order without a strategy_id.
// It has real limits: per symbol, a position worth at most `manualMaxNotional` of the
// quote currency at the mid when the account first trades the symbol (rounded down to
// whole lots), and no order larger than that. Its orders, positions and trades are
// listed like a strategy's (GET /api/accounts, GET /api/orders, and the
// /api/strategy/manual/{inventory,trades,metrics} reads).
import { decimalRatio } from '../strategy/params/param-decimal.js';

/** The account of orders placed without a strategy (POST /api/order). */
export const MANUAL_ACCOUNT = 'manual';

/** Default limit of the manual account per symbol, quote currency (serve --manual-max-notional). */
export const DEFAULT_MANUAL_MAX_NOTIONAL = 1000;

/** The manual account's max position on a symbol in lots: maxNotional at midPrice, rounded down; 0 when no lot fits. */
export function manualMaxPositionLot(maxNotional: number, midPrice: number, lotSize: string): number {
  if (!(maxNotional > 0) || !(midPrice > 0) || !Number.isFinite(midPrice)) return 0;
  const units = maxNotional / midPrice;
  return Math.max(0, Math.floor(decimalRatio(units, lotSize) + 1e-9));
}
