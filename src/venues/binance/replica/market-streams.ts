// Public market data served from the replica's own books (simulator and manual
// markets), on the grid the venue publishes (published-grid.ts): GET depth snapshots and the trade / aggTrade / bookTicker / diff-depth
// streams, combined (/stream?streams=a/b, {"stream","data"}) or raw
// (/ws/<stream>). Field names as binance-spot-api-docs web-socket-streams.md
// (USD-M adds its event fields). Update ids are the feed's sequence numbers: a
// depth snapshot's lastUpdateId and the diff events' U/u (and pu) follow Binance's
// local-book rules, so a client syncs to the replica as it does to Binance.
// A replayed recording is served by the project's BinanceProtocolServer instead
// (every recorded stream, diff depth included): see replica-server.ts.
import type { WebSocket } from 'ws';
import { publishedLots, publishedTick } from './published-grid.js';
import type { MarketTrade, ReplicaMarket } from './replica-market.js';

interface StreamConn { readonly ws: WebSocket; readonly combined: boolean; readonly streams: Map<string, string> }

interface DepthTrack { bids: Map<string, string>; asks: Map<string, string>; lastU: number }

const DEPTH = /^([a-z0-9]+)@depth(@\d+ms)?$/;

export class MarketStreams {
  private readonly market: ReplicaMarket;
  private readonly futures: boolean;
  private readonly conns = new Set<StreamConn>();
  private readonly lastTop = new Map<string, string>();
  private updateId = 1;
  private readonly depthTracks = new Map<string, DepthTrack>();
  private depthTimer: NodeJS.Timeout | null = null;
  /** Fault: true when the next level removal is to be left out of the stream. */
  private readonly omitRemoval: () => boolean;

  constructor(market: ReplicaMarket, futures: boolean, omitRemoval: () => boolean = () => false) {
    this.market = market;
    this.futures = futures;
    this.omitRemoval = omitRemoval;
    market.onTrade = (t) => this.trade(t);
    market.onBatch = (syms) => { for (const s of syms) this.bookTicker(s); };
  }

  /** Stream names this server knows: <symbol>@trade, <symbol>@aggTrade, <symbol>@bookTicker. */
  static valid(name: string): boolean { return /^[a-z0-9]+@(trade|aggTrade|bookTicker)$/.test(name) || DEPTH.test(name); }

  add(ws: WebSocket, names: readonly string[], combined: boolean): void {
    const streams = new Map<string, string>();
    for (const n of names) streams.set(n, n);
    const c: StreamConn = { ws, combined, streams };
    this.conns.add(c);
    ws.on('close', () => this.conns.delete(c));
    for (const n of names) {
      const m = DEPTH.exec(n);
      if (m === null) continue;
      const symbol = m[1]!.toUpperCase();
      if (!this.depthTracks.has(symbol)) {
        const d = this.market.depth(symbol, 1000);
        if (d === undefined) continue;
        this.depthTracks.set(symbol, { bids: new Map(d.bids), asks: new Map(d.asks), lastU: d.lastUpdateId });
      }
      if (this.depthTimer === null) this.depthTimer = setInterval(() => this.flushDepth(), 100);
    }
  }

  closeAll(): void {
    if (this.depthTimer !== null) clearInterval(this.depthTimer);
    this.depthTimer = null;
    for (const c of this.conns) c.ws.terminate();
    this.conns.clear();
  }

  /** Every 100 ms: the levels that changed since the last event of each tracked symbol, as one depthUpdate. */
  flushDepth(): void {
    for (const symbol of this.depthTracks.keys()) this.flushSymbol(symbol);
  }

  /**
   * Sends the symbol's pending depthUpdate now (nothing when it is not streamed or
   * nothing changed). Called before a REST depth snapshot is answered, so the
   * snapshot is exactly the state the next event's changes are taken from: a level
   * that appears and goes again between two events is then never in a snapshot
   * without the event that removes it (Binance lists every level an event's update
   * ids touched; this diff of two states would otherwise leave it in a client's book).
   */
  flushSymbol(symbol: string): void {
    const t = this.depthTracks.get(symbol);
    if (t === undefined) return;
    const d = this.market.depth(symbol, 1000);
    if (d === undefined || d.lastUpdateId <= t.lastU) return;
    let omitted = 0;
    const diff = (prev: Map<string, string>, cur: readonly (readonly [string, string])[]): [string, string][] => {
      const out: [string, string][] = [];
      const next = new Map(cur);
      for (const [p, q] of next) if (prev.get(p) !== q) out.push([p, q]);
      for (const p of prev.keys()) {
        if (next.has(p)) continue;
        if (this.omitRemoval()) omitted++;
        else out.push([p, '0']);
      }
      return out;
    };
    const b = diff(t.bids, d.bids);
    const a = diff(t.asks, d.asks);
    // an event whose only change was left out (fault) still goes out, so the update ids stay in sequence
    if (b.length === 0 && a.length === 0 && omitted === 0) return;
    const now = Date.now();
    const data: Record<string, unknown> = this.futures
      ? { e: 'depthUpdate', E: now, T: now, s: symbol, U: t.lastU + 1, u: d.lastUpdateId, pu: t.lastU, b, a }
      : { e: 'depthUpdate', E: now, s: symbol, U: t.lastU + 1, u: d.lastUpdateId, b, a };
    t.bids = new Map(d.bids);
    t.asks = new Map(d.asks);
    t.lastU = d.lastUpdateId;
    const lower = symbol.toLowerCase();
    for (const c of this.conns) {
      for (const name of c.streams.keys()) {
        const m = DEPTH.exec(name);
        if (m === null || m[1] !== lower) continue;
        c.ws.send(JSON.stringify(c.combined ? { stream: name, data } : data));
      }
    }
  }

  private send(name: string, data: Record<string, unknown>): void {
    for (const c of this.conns) {
      if (!c.streams.has(name)) continue;
      c.ws.send(JSON.stringify(c.combined ? { stream: name, data } : data));
    }
  }

  private trade(t: MarketTrade): void {
    if (this.conns.size === 0) return;
    const s = this.market.symbol(t.symbol);
    if (s === undefined) return;
    // on the venue's grid: the price the aggressor's way, the quantity down to the step
    const g = this.market.publishedGrid(t.symbol);
    const lot = publishedLots(g, t.lot);
    if (lot <= 0) return;
    const now = Date.now();
    const price = s.instrument.price.format(publishedTick(g, t.tick, t.buyerAggressor));
    const qty = s.instrument.qty.format(lot);
    const lower = t.symbol.toLowerCase();
    this.send(`${lower}@trade`, { e: 'trade', E: now, s: t.symbol, t: t.tradeId, p: price, q: qty, T: now, m: !t.buyerAggressor, M: true });
    this.send(`${lower}@aggTrade`, { e: 'aggTrade', E: now, s: t.symbol, a: t.tradeId, p: price, q: qty, f: t.tradeId, l: t.tradeId, T: now, m: !t.buyerAggressor, M: true });
  }

  private bookTicker(symbol: string): void {
    if (this.conns.size === 0) return;
    const d = this.market.depth(symbol, 1);
    if (d === undefined) return;
    const b = d.bids[0] ?? ['0', '0'];
    const a = d.asks[0] ?? ['0', '0'];
    const key = `${b[0]} ${b[1]} ${a[0]} ${a[1]}`;
    if (this.lastTop.get(symbol) === key) return;
    this.lastTop.set(symbol, key);
    const now = Date.now();
    const data: Record<string, unknown> = this.futures
      ? { e: 'bookTicker', u: this.updateId++, E: now, T: now, s: symbol, b: b[0], B: b[1], a: a[0], A: a[1] }
      : { u: this.updateId++, s: symbol, b: b[0], B: b[1], a: a[0], A: a[1] };
    this.send(`${symbol.toLowerCase()}@bookTicker`, data);
  }
}
