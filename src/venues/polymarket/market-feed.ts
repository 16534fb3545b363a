// The market channel wired into a FeedSink: one PolymarketChannel subscribed to the
// followed tokens, its frames through PolymarketMarketAdapter. Polymarket answers every
// (re)subscription with a `book` message per token, so a reconnect resyncs the books; while
// the link is down the symbols are marked stale through the sink (invalidate), so nothing
// quotes on a book that no longer updates. One token's book is resynced on the open link by
// unsubscribing and subscribing its asset again (`operation`, docs: "Subscribe to more assets"):
// the `book` message that answers the subscribe replaces it; it is stale until then. Polymarket's
// docs do not say that a subscribe on an open link answers a `book`: when none came for the
// token within resyncBookTimeoutMs, the link is reconnected, whose subscription does.
import type { FeedSink } from '../../feed/feed-sink.js';
import { PolymarketMarketAdapter, type FollowedToken } from './market-data-adapter.js';
import { PolymarketChannel } from './ws-channel.js';

export interface MarketFeedOptions {
  url: string;
  tokens: readonly FollowedToken[];
  firstSymbolId?: number;
  pingMs?: number;
  /** How long a resynced token waits for its `book` before the link is reconnected (default 5 s). */
  resyncBookTimeoutMs?: number;
}

export class PolymarketMarketFeed {
  readonly adapter: PolymarketMarketAdapter;
  private readonly channel: PolymarketChannel;
  private readonly ids: readonly string[];
  private readonly firstSymbolId: number;
  private readonly resyncBookTimeoutMs: number;
  /** Per resynced token: the wait for its `book`. */
  private readonly awaitingBook = new Map<string, NodeJS.Timeout>();
  /** Reconnects made because a resynced token's `book` did not come. */
  resyncReconnects = 0;

  constructor(private readonly sink: FeedSink & { invalidate?(symbolId: number): void }, opts: MarketFeedOptions) {
    this.adapter = new PolymarketMarketAdapter(sink, opts.tokens, opts.firstSymbolId ?? 0);
    const ids = opts.tokens.map((t) => t.tokenId);
    const first = opts.firstSymbolId ?? 0;
    this.ids = ids;
    this.firstSymbolId = first;
    this.resyncBookTimeoutMs = opts.resyncBookTimeoutMs ?? 5000;
    this.channel = new PolymarketChannel({
      url: opts.url,
      subscription: () => ({ assets_ids: ids, type: 'market' }),
      onFrame: (text) => { this.tap?.(text); this.adapter.onFrame(text); },
      onClose: () => {
        // the reconnect's subscription answers every token's book
        for (const t of this.awaitingBook.values()) clearTimeout(t);
        this.awaitingBook.clear();
        for (let i = 0; i < ids.length; i++) this.sink.invalidate?.(first + i);
      },
      ...(opts.pingMs !== undefined ? { pingMs: opts.pingMs } : {}),
    });
  }

  /** Sees every market-channel frame as received (a recording). */
  tap: ((text: string) => void) | null = null;

  get connected(): boolean { return this.channel.connected; }
  get reconnects(): number { return this.channel.reconnects; }
  open(): void { this.channel.open(); }

  /** Resyncs one token's book (stale until the `book` message that answers its new subscription); false when the link is down or the token is not followed. */
  resync(tokenId: string): boolean {
    const i = this.ids.indexOf(tokenId);
    if (i < 0 || !this.channel.connected) return false;
    this.sink.invalidate?.(this.firstSymbolId + i);
    this.channel.send({ assets_ids: [tokenId], operation: 'unsubscribe' });
    this.channel.send({ assets_ids: [tokenId], operation: 'subscribe' });
    const booksBefore = this.adapter.booksOf(tokenId);
    const prev = this.awaitingBook.get(tokenId);
    if (prev !== undefined) clearTimeout(prev);
    const t = setTimeout(() => {
      this.awaitingBook.delete(tokenId);
      if (!this.channel.connected || this.adapter.booksOf(tokenId) !== booksBefore) return;
      this.resyncReconnects++;
      this.channel.restart();
    }, this.resyncBookTimeoutMs);
    t.unref();
    this.awaitingBook.set(tokenId, t);
    return true;
  }

  close(): void {
    for (const t of this.awaitingBook.values()) clearTimeout(t);
    this.awaitingBook.clear();
    this.channel.close();
  }
}
