// Kalshi's order books that stay crossed (CrossedBookWatch): a market's LocalBook is crossed
// when its best YES bid is at or above its YES ask (1 − the best NO bid). One that stays so is
// resynced by KalshiWsClient.resyncBook: the market is deleted from its orderbook_delta
// subscription and added back (update_subscription), and the orderbook_snapshot that follows the
// add replaces its book; the book is stale until then.
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import { CrossedBookWatch, type CrossedBookWatchOptions, type CrossedResync, type CrossedTop } from '../crossed-book-watch.js';
import type { KalshiWsClient } from './ws-client.js';

const E4 = new DecimalGrid('0.0001');

/** The YES bid and ask of a market's book when it is crossed; null when not; undefined without a book or a link. */
export function kalshiCrossedTop(ws: KalshiWsClient, ticker: string): CrossedTop | null | undefined {
  if (!ws.connected) return undefined;
  const b = ws.books.get(ticker);
  if (b === undefined) return undefined;
  const { bid, ask } = b.bestYes();
  if (Number.isNaN(bid) || Number.isNaN(ask) || bid < ask) return null;
  return { bid: E4.format(bid), ask: E4.format(ask) };
}

/** Watches the books of `tickers()` on `ws`; `onResync` is told each resync (after it was asked for). */
export function watchKalshiBooks(
  ws: KalshiWsClient, tickers: () => Iterable<string>, onResync: (r: CrossedResync) => void,
  timing: Pick<CrossedBookWatchOptions, 'initialMs' | 'maxMs' | 'checkMs'> = {},
): CrossedBookWatch {
  return new CrossedBookWatch({
    ...timing,
    markets: tickers,
    crossedTop: (t) => kalshiCrossedTop(ws, t),
    resync: (r) => ws.resyncBook(r.market),
    onResync,
  });
}
