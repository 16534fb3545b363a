// Turns the market channel into FeedSink calls (FeedIngest: instrument / snapshot /
// levelSet / trade / settle / endOfBatch), one symbol per YES token we follow.
//
// Polymarket's messages carry no sequence number, so the adapter numbers each symbol's
// messages itself (a book message is a snapshot and always resyncs). It keeps each book as
// decimal strings too: a `tick_size_change` redefines the instrument on the new grid — the
// ingest then reports the symbol redefined (the engine pauses and re-validates strategies)
// — and the kept book is replayed at once as a snapshot on the new grid, so the symbol is
// live again without waiting for the next `book` message. A level that is not on the new
// grid (a coarser tick) is dropped and counted; the next `book` message is authoritative.
import { SIDE_ASK, SIDE_BID, type FeedSink, type SideCode } from '../../feed/feed-sink.js';
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import { POLYMARKET_LOT_SIZE } from './amounts.js';
import { msToNs, parseMarketMessage, type MarketMessage, type WsLevel } from './market-messages.js';

export interface FollowedToken {
  /** The engine's symbol for this token. */
  readonly symbol: string;
  readonly tokenId: string;
  readonly tickSize: string;
  /** Resolution time, Unix epoch ns (0 if unknown). */
  readonly resolutionTsNs?: number;
}

interface Followed {
  readonly symbolId: number;
  readonly symbol: string;
  readonly tokenId: string;
  tickSize: string;
  price: DecimalGrid;
  readonly resolutionTsNs: number;
  seq: number;
  /** price string → size string */
  readonly bids: Map<string, string>;
  readonly asks: Map<string, string>;
  hasBook: boolean;
  /** `book` messages received for the token. */
  books: number;
}

export interface AdapterCounters { messages: number; malformed: number; unknownAsset: number; offGrid: number; tickSizeChanges: number; trades: number }

export class PolymarketMarketAdapter {
  readonly counters: AdapterCounters = { messages: 0, malformed: 0, unknownAsset: 0, offGrid: 0, tickSizeChanges: 0, trades: 0 };
  /** Called after a tick_size_change was applied (the venue re-reads the instrument). */
  onTickSize: ((symbol: string, tickSize: string) => void) | null = null;
  /** Told once a followed token's market resolved and the token settled ('yes': it won). */
  onResolved: ((symbol: string, outcome: 'yes' | 'no') => void) | null = null;
  private readonly byToken = new Map<string, Followed>();
  private readonly qty = new DecimalGrid(POLYMARKET_LOT_SIZE);
  private tradeId = 0;

  constructor(private readonly sink: FeedSink, tokens: readonly FollowedToken[], firstSymbolId = 0) {
    tokens.forEach((t, i) => {
      const f: Followed = {
        symbolId: firstSymbolId + i, symbol: t.symbol, tokenId: t.tokenId, tickSize: t.tickSize, price: new DecimalGrid(t.tickSize),
        resolutionTsNs: t.resolutionTsNs ?? 0, seq: 0, bids: new Map(), asks: new Map(), hasBook: false, books: 0,
      };
      this.byToken.set(t.tokenId, f);
      this.define(f);
    });
  }

  tokenIds(): string[] { return [...this.byToken.keys()]; }
  symbolOf(tokenId: string): string | undefined { return this.byToken.get(tokenId)?.symbol; }
  tickSizeOf(tokenId: string): string | undefined { return this.byToken.get(tokenId)?.tickSize; }
  /** `book` messages received for a followed token (0 for one not followed). */
  booksOf(tokenId: string): number { return this.byToken.get(tokenId)?.books ?? 0; }

  private define(f: Followed): void {
    this.sink.instrument({ symbolId: f.symbolId, symbol: f.symbol, kind: 'binary', tickSize: f.tickSize, lotSize: POLYMARKET_LOT_SIZE, resolutionTsNs: f.resolutionTsNs });
  }

  /** One WebSocket text frame: a message or an array of messages; one batch per frame. */
  onFrame(text: string): void {
    let v: unknown;
    try { v = JSON.parse(text); } catch { this.counters.malformed++; return; }
    const list = Array.isArray(v) ? v : [v];
    let any = false;
    for (const item of list) {
      const m = parseMarketMessage(item);
      if (m === null) { this.counters.malformed++; continue; }
      this.counters.messages++;
      this.apply(m);
      any = true;
    }
    if (any) this.sink.endOfBatch(0);
  }

  apply(m: MarketMessage): void {
    switch (m.event_type) {
      case 'book': {
        const f = this.byToken.get(m.asset_id);
        if (f === undefined) { this.counters.unknownAsset++; return; }
        f.bids.clear(); f.asks.clear();
        for (const l of m.bids) if (Number(l.size) > 0) f.bids.set(l.price, l.size);
        for (const l of m.asks) if (Number(l.size) > 0) f.asks.set(l.price, l.size);
        f.hasBook = true;
        f.books++;
        this.snapshot(f, msToNs(m.timestamp));
        return;
      }
      case 'price_change': {
        const ts = msToNs(m.timestamp);
        for (const c of m.price_changes) {
          const f = this.byToken.get(c.asset_id);
          if (f === undefined) { this.counters.unknownAsset++; continue; }
          const side: SideCode = c.side === 'BUY' ? SIDE_BID : SIDE_ASK;
          const book = side === SIDE_BID ? f.bids : f.asks;
          if (Number(c.size) > 0) book.set(c.price, c.size); else book.delete(c.price);
          if (!f.hasBook) continue; // nothing to apply to until the first book
          const tick = f.price.toUnitsOrNaN(c.price);
          const lot = this.qty.toUnitsOrNaN(c.size);
          if (Number.isNaN(tick) || Number.isNaN(lot)) { this.counters.offGrid++; continue; }
          this.sink.levelSet(f.symbolId, ++f.seq, ts, side, tick, lot);
        }
        return;
      }
      case 'tick_size_change': {
        const f = this.byToken.get(m.asset_id);
        if (f === undefined) { this.counters.unknownAsset++; return; }
        if (m.new_tick_size === f.tickSize) return;
        f.tickSize = m.new_tick_size;
        f.price = new DecimalGrid(m.new_tick_size);
        this.counters.tickSizeChanges++;
        this.define(f);
        if (f.hasBook) this.snapshot(f, msToNs(m.timestamp));
        this.onTickSize?.(f.symbol, f.tickSize);
        return;
      }
      case 'last_trade_price': {
        const f = this.byToken.get(m.asset_id);
        if (f === undefined) { this.counters.unknownAsset++; return; }
        const tick = f.price.toUnitsOrNaN(m.price);
        const lot = this.qty.toUnitsOrNaN(m.size);
        if (Number.isNaN(tick) || Number.isNaN(lot) || lot <= 0 || !f.hasBook) { this.counters.offGrid++; return; }
        this.counters.trades++;
        this.sink.trade(f.symbolId, ++f.seq, msToNs(m.timestamp), m.side === 'BUY' ? SIDE_BID : SIDE_ASK, tick, lot, ++this.tradeId);
        return;
      }
      case 'market_resolved': {
        for (const id of m.assets_ids) {
          const f = this.byToken.get(id);
          if (f === undefined) continue;
          // a resolved market trades no more: its book is withdrawn before it settles (as the simulator's are)
          const tsNs = msToNs(m.timestamp);
          f.bids.clear();
          f.asks.clear();
          if (f.hasBook) this.snapshot(f, tsNs);
          const outcome = id === m.winning_asset_id ? 'yes' : 'no';
          this.sink.settle?.(f.symbolId, tsNs, outcome);
          this.onResolved?.(f.symbol, outcome);
        }
        return;
      }
    }
  }

  private snapshot(f: Followed, tsNs: number): void {
    const side = (levels: Map<string, string>, desc: boolean): Float64Array => {
      const rows: Array<[number, number]> = [];
      for (const [p, s] of levels) {
        const tick = f.price.toUnitsOrNaN(p);
        const lot = this.qty.toUnitsOrNaN(s);
        if (Number.isNaN(tick) || Number.isNaN(lot)) { this.counters.offGrid++; continue; }
        rows.push([tick, lot]);
      }
      rows.sort((a, b) => (desc ? b[0] - a[0] : a[0] - b[0]));
      const out = new Float64Array(rows.length * 2);
      rows.forEach(([t, l], i) => { out[2 * i] = t; out[2 * i + 1] = l; });
      return out;
    };
    const bids = side(f.bids, true);
    const asks = side(f.asks, false);
    this.sink.snapshot(f.symbolId, ++f.seq, tsNs, bids, bids.length / 2, asks, asks.length / 2);
  }

  /**
   * The best bid and ask of a token's kept book when it is crossed (bid at or above ask); null
   * when it is not (or a side is empty); undefined before its first `book` message.
   */
  crossedTop(tokenId: string): { bid: string; ask: string } | null | undefined {
    const f = this.byToken.get(tokenId);
    if (f === undefined || !f.hasBook) return undefined;
    let bidTick = Number.NaN, askTick = Number.NaN, bid = '', ask = '';
    // a level off the grid is not in the ingest's book either: left out
    for (const p of f.bids.keys()) { const t = f.price.toUnitsOrNaN(p); if (!Number.isNaN(t) && !(t <= bidTick)) { bidTick = t; bid = p; } }
    for (const p of f.asks.keys()) { const t = f.price.toUnitsOrNaN(p); if (!Number.isNaN(t) && !(t >= askTick)) { askTick = t; ask = p; } }
    return bidTick >= askTick ? { bid, ask } : null;
  }

  /** The kept book of a token as [price, size] strings, best first (tests, reconcile). */
  bookOf(tokenId: string): { bids: WsLevel[]; asks: WsLevel[] } | undefined {
    const f = this.byToken.get(tokenId);
    if (f === undefined) return undefined;
    const sort = (m: Map<string, string>, desc: boolean): WsLevel[] => [...m].map(([price, size]) => ({ price, size })).sort((a, b) => (desc ? Number(b.price) - Number(a.price) : Number(a.price) - Number(b.price)));
    return { bids: sort(f.bids, true), asks: sort(f.asks, false) };
  }
}
