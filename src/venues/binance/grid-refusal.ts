// Binance refusing an order for a price or quantity off the symbol's grid. When the venue
// makes a symbol's tick or step coarser while we run (0.1 → 1), its depth stays on the old
// grid too (every multiple of 1 is one of 0.1), so only refused orders show the change.
//   spot   -1013 "Filter failure: PRICE_FILTER" / "Filter failure: LOT_SIZE" /
//          "Filter failure: MARKET_LOT_SIZE" (errors.md -1013 with the filter's name; filters.md:
//          price % tickSize == 0, quantity % stepSize == 0)
//   USD-M  -4014 PRICE_NOT_INCREASED_BY_TICK_SIZE, -4023 QTY_NOT_INCREASED_BY_STEP_SIZE
//          (the USD-M error-code list)
//   both   -1111 BAD_PRECISION "Precision is over the maximum defined for this asset."
import { BinanceApiError } from './errors.js';

const SPOT_GRID_FILTERS = /Filter failure: (PRICE_FILTER|LOT_SIZE|MARKET_LOT_SIZE)\b/;

/** The venue refused an order for its price or quantity off the symbol's tick or step. */
export function isGridRefusal(e: unknown): boolean {
  if (!(e instanceof BinanceApiError)) return false;
  switch (e.binanceCode) {
    case -1013: return SPOT_GRID_FILTERS.test(e.binanceMsg);
    case -4014: case -4023: case -1111: return true;
    default: return false;
  }
}
