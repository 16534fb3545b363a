// The grids of a live Binance symbol read again while serve runs (GridRefresh's read): the
// venue's exchangeInfo rules for it (BinanceLive.readSymbolRules), turned into the grids the
// book and the orders use as at start (gridsFromRules), with the rules for the execution
// venue to adopt when they differ from the grids in use.
import type { GridRead } from '../feed/binance/grid-refresh.js';
import type { BinanceLive } from '../venues/binance/binance-live.js';
import { gridsFromRules } from './binance-grids.js';

export function liveGridRead(live: BinanceLive): (symbol: string) => Promise<GridRead> {
  return async (symbol) => {
    const rules = await live.readSymbolRules(symbol);
    const [choice] = gridsFromRules(live.config.market, [symbol], () => rules);
    return { spec: choice!.spec, adopt: () => { live.venue.setSymbolRules(symbol, rules); } };
  };
}
