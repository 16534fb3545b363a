// Polymarket's order books that stay crossed (CrossedBookWatch): a followed token's kept book
// is crossed when its best bid is at or above its best ask. One that stays so is resynced by
// subscribing its asset again on the market channel (a `book` message follows a subscribe);
// its symbol is stale until then.
import { CrossedBookWatch, type CrossedBookWatchOptions, type CrossedResync } from '../crossed-book-watch.js';
import type { PolymarketMarketFeed } from './market-feed.js';

/** Watches the books of every token `feed` follows (CrossedResync.market is the token id); `onResync` is told each resync once asked for. */
export function watchPolymarketBooks(
  feed: PolymarketMarketFeed, onResync: (r: CrossedResync) => void,
  timing: Pick<CrossedBookWatchOptions, 'initialMs' | 'maxMs' | 'checkMs'> = {},
): CrossedBookWatch {
  const tokenIds = feed.adapter.tokenIds();
  return new CrossedBookWatch({
    ...timing,
    markets: () => tokenIds,
    crossedTop: (id) => (feed.connected ? feed.adapter.crossedTop(id) : undefined),
    resync: (r) => feed.resync(r.market),
    onResync,
  });
}
