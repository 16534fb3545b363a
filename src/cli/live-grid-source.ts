// The grids of a live Binance symbol read again while serve runs (GridRefresh's source): the
// venue's exchangeInfo rules for it (BinanceLive.readSymbolRules), turned into the grids the
// book and the orders use as at start (gridsFromRules), with the rules for the execution
// venue to adopt when they differ from the grids in use; and the execution venue's orders
// refused for a price or quantity off the grid (BinanceExecutionVenue.onGridRefusal).
import type { VenueGridSource } from '../feed/binance/grid-refresh.js';
import type { BinanceLive } from '../venues/binance/binance-live.js';
import { gridsFromRules } from './binance-grids.js';

export function liveGridSource(live: BinanceLive): VenueGridSource {
  return {
    read: async (symbol) => {
      const rules = await live.readSymbolRules(symbol);
      const [choice] = gridsFromRules(live.config.market, [symbol], () => rules);
      return { spec: choice!.spec, adopt: () => { live.venue.setSymbolRules(symbol, rules); } };
    },
    onGridRefusal: (listener) => { live.venue.onGridRefusal(listener); },
  };
}
