// The Kalshi WebSocket client (docs.kalshi.com getting_started/quick_start_websockets,
// asyncapi.yaml): one authenticated connection (handshake headers signed over
// ts + "GET" + "/trade-api/ws/v2"), commands {id, cmd, params}, data messages
// {type, sid, seq, msg}. Channels used: orderbook_delta (an orderbook_snapshot first, then
// orderbook_delta), trade, fill, user_orders, market_lifecycle_v2.
//
// Order books are kept per market (LocalBook). `seq` is contiguous per subscription (sid),
// snapshots included: a gap marks the subscription's books stale and resubscribes it, which
// brings a fresh snapshot. One market's book is resynced on its own with update_subscription
// (delete_markets, then add_markets on the same sid: the re-added market's orderbook_snapshot
// continues the subscription's seq). A dropped connection reconnects with exponential back-off
// (with jitter) and resubscribes everything; books are stale until their new snapshot.
import WebSocket from 'ws';
import { WS_PATH } from './endpoints.js';
import { LocalBook, type BookSide } from './local-book.js';
import { dollarsToE4 } from './price-grid.js';
import type { KalshiSigner } from './signing.js';

export type KalshiChannel = 'orderbook_delta' | 'trade' | 'fill' | 'user_orders' | 'market_lifecycle_v2' | 'ticker';

export interface WsHandlers {
  /** A market's book after a snapshot (`fresh` = true) or a delta. */
  onBook?(book: LocalBook, fresh: boolean, change?: { side: BookSide; priceE4: number; countE2: number; ts: number }): void;
  /** A sequence gap, a reconnect or a resync of a book that stayed crossed made these books stale until their next snapshot. */
  onStale?(tickers: readonly string[], reason: 'gap' | 'reconnect' | 'crossed'): void;
  onTrade?(msg: Record<string, unknown>): void;
  onFill?(msg: Record<string, unknown>): void;
  onUserOrder?(msg: Record<string, unknown>): void;
  onLifecycle?(msg: Record<string, unknown>): void;
  /** Connected (and, after a reconnect, resubscribed): a venue reconciles here. */
  onOpen?(reconnect: boolean): void;
  onClose?(code: number): void;
  onError?(err: { code?: number; msg?: string }): void;
}

export interface KalshiWsOptions {
  url: string;
  signer?: KalshiSigner;
  handlers?: WsHandlers;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Random source for jitter (tests pass a constant). */
  random?: () => number;
  /**
   * A connection silent this long (no message, no ping) is dropped and reconnected; Kalshi
   * pings every 10 s (third-party clients, see docs/kalshi.md). Default 30 s; 0 = off.
   */
  idleTimeoutMs?: number;
}

interface Sub {
  readonly key: number;
  readonly channel: KalshiChannel;
  readonly tickers: readonly string[];
  cmdId: number;
  sid: number;
  lastSeq: number;
}

/** An update_subscription command waiting for its answer. */
interface MarketUpdate { readonly sub: Sub; readonly sid: number; readonly ticker: string }

export class KalshiWsClient {
  readonly books = new Map<string, LocalBook>();
  /**
   * resubscribes: whole subscriptions unsubscribed and subscribed again (a gap, a failed or
   * fruitless market resync); marketResyncs: single markets deleted from and added back to their
   * subscription; updateErrors: update_subscription commands answered with an error.
   */
  readonly counters = { messages: 0, gaps: 0, resubscribes: 0, marketResyncs: 0, updateErrors: 0, reconnects: 0, badMessages: 0, snapshots: 0, deltas: 0, idleDrops: 0 };
  handlers: WsHandlers;
  private ws: WebSocket | null = null;
  private readonly subs = new Map<number, Sub>();
  private readonly bySid = new Map<number, Sub>();
  private readonly byCmd = new Map<number, Sub>();
  /** update_subscription commands by command id, until their `ok` or `error`. */
  private readonly updates = new Map<number, MarketUpdate>();
  /** Markets re-added by a market resync whose orderbook_snapshot has not come yet. */
  private readonly awaitingSnapshot = new Set<string>();
  private nextId = 1;
  private nextKey = 1;
  private closed = false;
  private backoff: number;
  private timer: NodeJS.Timeout | null = null;
  private everOpen = false;
  private idleTimer: NodeJS.Timeout | null = null;
  private lastHeardMs = 0;
  private openWaiters: Array<() => void> = [];

  constructor(private readonly o: KalshiWsOptions) {
    this.handlers = o.handlers ?? {};
    this.backoff = o.minBackoffMs ?? 250;
  }

  get connected(): boolean { return this.ws?.readyState === WebSocket.OPEN; }

  /** Connects; resolves on the first open. */
  connect(): Promise<void> {
    this.closed = false;
    const p = new Promise<void>((resolve) => { this.openWaiters.push(resolve); });
    this.open();
    return p;
  }

  private open(): void {
    const headers: Record<string, string> = {};
    if (this.o.signer !== undefined) Object.assign(headers, this.o.signer.headers('GET', WS_PATH));
    const ws = new WebSocket(this.o.url, { headers });
    this.ws = ws;
    ws.on('open', () => {
      this.lastHeardMs = Date.now();
      this.watchIdle(ws);
      const reconnect = this.everOpen;
      this.everOpen = true;
      this.backoff = this.o.minBackoffMs ?? 250;
      this.bySid.clear();
      this.byCmd.clear();
      this.updates.clear();
      this.awaitingSnapshot.clear();
      for (const s of this.subs.values()) this.sendSubscribe(s);
      const w = this.openWaiters; this.openWaiters = [];
      for (const f of w) f();
      this.handlers.onOpen?.(reconnect);
    });
    ws.on('message', (data) => { this.lastHeardMs = Date.now(); const text = String(data); this.tap?.(text); this.onMessage(text); });
    ws.on('ping', () => { this.lastHeardMs = Date.now(); });
    ws.on('error', () => undefined); // 'close' follows
    ws.on('close', (code) => {
      if (this.idleTimer !== null) { clearInterval(this.idleTimer); this.idleTimer = null; }
      if (this.ws === ws) this.ws = null;
      this.handlers.onClose?.(code);
      if (this.closed) return;
      const stale = [...this.books.keys()];
      if (stale.length > 0) this.handlers.onStale?.(stale, 'reconnect');
      this.counters.reconnects++;
      const max = this.o.maxBackoffMs ?? 10_000;
      const wait = Math.min(max, this.backoff) * (0.5 + 0.5 * (this.o.random ?? Math.random)());
      this.backoff = Math.min(max, this.backoff * 2);
      this.timer = setTimeout(() => { this.timer = null; if (!this.closed) this.open(); }, wait);
    });
  }

  /** Drops a connection that has been silent longer than idleTimeoutMs (a dead link the OS has not noticed). */
  private watchIdle(ws: WebSocket): void {
    const limit = this.o.idleTimeoutMs ?? 30_000;
    if (limit <= 0) return;
    if (this.idleTimer !== null) clearInterval(this.idleTimer);
    this.idleTimer = setInterval(() => {
      if (this.ws !== ws || Date.now() - this.lastHeardMs <= limit) return;
      this.counters.idleDrops++;
      ws.terminate();
    }, Math.max(10, Math.min(1000, limit / 4)));
  }

  /** Subscribes one channel for some markets (empty = all markets, where the channel allows it). Kept across reconnects. */
  subscribe(channel: KalshiChannel, tickers: readonly string[] = []): number {
    const s: Sub = { key: this.nextKey++, channel, tickers: [...tickers], cmdId: 0, sid: -1, lastSeq: -1 };
    this.subs.set(s.key, s);
    if (channel === 'orderbook_delta') for (const t of tickers) if (!this.books.has(t)) this.books.set(t, new LocalBook(t));
    if (this.connected) this.sendSubscribe(s);
    return s.key;
  }

  private sendSubscribe(s: Sub): void {
    s.cmdId = this.nextId++;
    s.sid = -1;
    s.lastSeq = -1;
    this.byCmd.set(s.cmdId, s);
    const params: Record<string, unknown> = { channels: [s.channel] };
    if (s.tickers.length > 0) params['market_tickers'] = s.tickers;
    this.send({ id: s.cmdId, cmd: 'subscribe', params });
  }

  private send(o: unknown): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(o));
  }

  /** Drops the subscription's sid and subscribes again: a fresh snapshot follows. */
  resubscribe(s: Sub): void {
    this.counters.resubscribes++;
    for (const t of s.tickers) this.awaitingSnapshot.delete(t);
    if (s.sid >= 0) { this.bySid.delete(s.sid); this.send({ id: this.nextId++, cmd: 'unsubscribe', params: { sids: [s.sid] } }); }
    this.sendSubscribe(s);
  }

  /**
   * Resyncs one market's book: it goes stale, is deleted from the order book subscription holding
   * it and added back (update_subscription on the same sid), and the orderbook_snapshot that
   * follows the add replaces it; the subscription's other markets are not touched. The whole
   * subscription is resubscribed instead while its sid is not known yet, and when the market's
   * previous resync has brought no snapshot. False when the link is down or no subscription holds
   * the market.
   */
  resyncBook(ticker: string): boolean {
    if (!this.connected) return false;
    for (const s of this.subs.values()) {
      if (s.channel !== 'orderbook_delta' || !s.tickers.includes(ticker)) continue;
      this.handlers.onStale?.([ticker], 'crossed');
      if (s.sid < 0 || this.awaitingSnapshot.has(ticker)) { this.resubscribe(s); return true; }
      this.counters.marketResyncs++;
      this.awaitingSnapshot.add(ticker);
      this.sendUpdate(s, ticker, 'delete_markets');
      this.sendUpdate(s, ticker, 'add_markets');
      return true;
    }
    return false;
  }

  private sendUpdate(s: Sub, ticker: string, action: 'delete_markets' | 'add_markets'): void {
    const id = this.nextId++;
    this.updates.set(id, { sub: s, sid: s.sid, ticker });
    this.send({ id, cmd: 'update_subscription', params: { sids: [s.sid], market_tickers: [ticker], action } });
  }

  /** An update_subscription answered with an error: the subscription (if still the same) is resubscribed. */
  private updateFailed(u: MarketUpdate): void {
    this.counters.updateErrors++;
    this.awaitingSnapshot.delete(u.ticker);
    if (this.subs.get(u.sub.key) === u.sub && u.sub.sid === u.sid) this.resubscribe(u.sub);
  }

  /** Sees every text message as received (a recording). */
  tap: ((text: string) => void) | null = null;
  private replaying = false;

  /** Applies a recorded message (no subscription or sequence bookkeeping: the recording is what was received). */
  applyRecorded(text: string): void {
    this.replaying = true;
    try { this.onMessage(text); } finally { this.replaying = false; }
  }

  private onMessage(text: string): void {
    this.counters.messages++;
    let m: { id?: number; type?: string; sid?: number; seq?: number; msg?: Record<string, unknown> };
    try { m = JSON.parse(text); } catch { this.counters.badMessages++; return; }
    if (m === null || typeof m !== 'object') { this.counters.badMessages++; return; }
    const type = m.type;
    if (type === 'subscribed') {
      const s = typeof m.id === 'number' ? this.byCmd.get(m.id) : undefined;
      const sid = Number(m.msg?.['sid']);
      if (s !== undefined && Number.isInteger(sid)) { s.sid = sid; this.bySid.set(sid, s); }
      return;
    }
    const update = type === 'ok' || type === 'error' ? this.takeUpdate(m.id) : undefined;
    if (type === 'error') {
      if (update !== undefined) this.updateFailed(update);
      this.handlers.onError?.({ code: Number(m.msg?.['code']), msg: String(m.msg?.['msg'] ?? '') });
      return;
    }
    if (type === 'unsubscribed') return;
    const sub = typeof m.sid === 'number' ? this.bySid.get(m.sid) : undefined;
    if (typeof m.sid === 'number' && sub === undefined && !this.replaying) return; // a subscription we dropped
    if (sub !== undefined && typeof m.seq === 'number') {
      // An update's `ok` carries a seq: the subscription's next one, or (not documented either
      // way) its current one, which is then not a gap.
      const current = type === 'ok' && m.seq === sub.lastSeq;
      if (!current && sub.lastSeq >= 0 && m.seq !== sub.lastSeq + 1) {
        this.counters.gaps++;
        const stale = sub.channel === 'orderbook_delta' ? [...sub.tickers] : [];
        if (stale.length > 0) this.handlers.onStale?.(stale, 'gap');
        this.resubscribe(sub);
        return;
      }
      sub.lastSeq = m.seq;
    }
    const msg = m.msg ?? {};
    switch (type) {
      case 'orderbook_snapshot': {
        const t = String(msg['market_ticker'] ?? '');
        let b = this.books.get(t);
        if (b === undefined) { b = new LocalBook(t); this.books.set(t, b); }
        b.applySnapshot(msg['yes_dollars_fp'] as Array<[string, string]> | undefined, msg['no_dollars_fp'] as Array<[string, string]> | undefined);
        this.awaitingSnapshot.delete(t);
        this.counters.snapshots++;
        this.handlers.onBook?.(b, true);
        return;
      }
      case 'orderbook_delta': {
        const t = String(msg['market_ticker'] ?? '');
        const b = this.books.get(t);
        const side = msg['side'];
        if (b === undefined || (side !== 'yes' && side !== 'no')) { this.counters.badMessages++; return; }
        const n = b.applyDelta(side, String(msg['price_dollars']), String(msg['delta_fp']));
        if (Number.isNaN(n)) return;
        this.counters.deltas++;
        const pe = dollarsToE4(String(msg['price_dollars']));
        this.handlers.onBook?.(b, false, { side, priceE4: pe, countE2: n, ts: Number(msg['ts'] ?? 0) });
        return;
      }
      case 'trade': this.handlers.onTrade?.(msg); return;
      case 'fill': this.handlers.onFill?.(msg); return;
      case 'user_order': case 'user_orders': this.handlers.onUserOrder?.(msg); return;
      case 'market_lifecycle_v2': this.handlers.onLifecycle?.(msg); return;
      default: return;
    }
  }

  private takeUpdate(id: unknown): MarketUpdate | undefined {
    if (typeof id !== 'number') return undefined;
    const u = this.updates.get(id);
    this.updates.delete(id);
    return u;
  }

  /** Closes for good (no reconnect). */
  close(): void {
    this.closed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    if (this.idleTimer !== null) { clearInterval(this.idleTimer); this.idleTimer = null; }
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    if (ws !== null) { try { ws.close(); } catch { /* closed */ } }
  }

  /** For tests: drops the connection as a network failure would (a reconnect follows). */
  dropConnection(): void { this.ws?.terminate(); }
}
