// The market channel wired into a FeedSink: one PolymarketChannel subscribed to the
// followed tokens, its frames through PolymarketMarketAdapter. Polymarket answers every
// (re)subscription with a `book` message per token, so a reconnect resyncs the books; while
// the link is down the symbols are marked stale through the sink (invalidate), so nothing
// quotes on a book that no longer updates.
import type { FeedSink } from '../../feed/feed-sink.js';
import { PolymarketMarketAdapter, type FollowedToken } from './market-data-adapter.js';
import { PolymarketChannel } from './ws-channel.js';

export interface MarketFeedOptions {
  url: string;
  tokens: readonly FollowedToken[];
  firstSymbolId?: number;
  pingMs?: number;
}

export class PolymarketMarketFeed {
  readonly adapter: PolymarketMarketAdapter;
  private readonly channel: PolymarketChannel;

  constructor(private readonly sink: FeedSink & { invalidate?(symbolId: number): void }, opts: MarketFeedOptions) {
    this.adapter = new PolymarketMarketAdapter(sink, opts.tokens, opts.firstSymbolId ?? 0);
    const ids = opts.tokens.map((t) => t.tokenId);
    const first = opts.firstSymbolId ?? 0;
    this.channel = new PolymarketChannel({
      url: opts.url,
      subscription: () => ({ assets_ids: ids, type: 'market' }),
      onFrame: (text) => { this.tap?.(text); this.adapter.onFrame(text); },
      onClose: () => { for (let i = 0; i < ids.length; i++) this.sink.invalidate?.(first + i); },
      ...(opts.pingMs !== undefined ? { pingMs: opts.pingMs } : {}),
    });
  }

  /** Sees every market-channel frame as received (a recording). */
  tap: ((text: string) => void) | null = null;

  get connected(): boolean { return this.channel.connected; }
  get reconnects(): number { return this.channel.reconnects; }
  open(): void { this.channel.open(); }
  close(): void { this.channel.close(); }
}
