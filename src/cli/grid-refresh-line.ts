// serve's line (after "market: ") for what reading a live Binance symbol's exchangeInfo again
// found (GridRefresh): a new grid, the same grid (the off-grid warning), or no answer; each
// says what started the read (depth off the grid, or an order the venue refused off it).
import type { GridRefreshEvent, GridRereadCause } from '../feed/binance/grid-refresh.js';
import { sameGridProblemMessage } from '../feed/binance/off-grid-depth.js';
import type { GridProblem } from '../feed/replay/market-source.js';

function afterText(after: GridRereadCause): string {
  return after === 'depth' ? 'depth off the grid' : 'an order refused off the grid';
}

/** `problem`: the symbol's off-grid problem, for the same-grid warning. */
export function gridRefreshLine(e: GridRefreshEvent, problem: GridProblem | undefined): string {
  switch (e.type) {
    case 'changed': {
      const { from, to } = e;
      const book = from.lotSize !== to.lotSize ? `, book quantities on ${from.lotSize} → ${to.lotSize}` : '';
      return `${e.symbol}: Binance changed its grid (exchangeInfo read again after ${afterText(e.after)}): tick ${from.tickSize} → ${to.tickSize}, `
        + `step ${from.orderLotSize} → ${to.orderLotSize}${book}; the book resyncs on the new grid, orders follow it`;
    }
    case 'same':
      return `warning: ${problem !== undefined
        ? sameGridProblemMessage(problem, e.spec)
        : `${e.symbol}: depth off its grid, and Binance's exchangeInfo, read again, gives the same grid (tick ${e.spec.tickSize}, step ${e.spec.orderLotSize})`}`;
    case 'read-failed':
      return `warning: ${e.symbol}: ${afterText(e.after)}, and Binance's exchangeInfo could not be read to look for a new grid (${e.error}); `
        + `read again at the next refusal after ${Math.round(e.retryAfterMs / 1000)} s`;
  }
}
