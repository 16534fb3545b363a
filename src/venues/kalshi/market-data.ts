// Kalshi market data into the engine: the WebSocket client's order books (YES bids and NO
// bids) become FeedIngest calls on each market's YES instrument — bids = YES bids, asks =
// $1 − NO bids — and public trades become ingest trades. A gap or reconnect invalidates the
// symbol (stale until the fresh snapshot the client resubscribes for). Ingest sequence
// numbers are the adapter's own, contiguous per symbol.
import { SIDE_ASK, SIDE_BID } from '../../feed/feed-sink.js';
import type { FeedIngest } from '../../feed/ingest/feed-ingest.js';
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import type { KalshiMarketInfo } from './kalshi-venue.js';
import type { LocalBook } from './local-book.js';
import type { KalshiWsClient } from './ws-client.js';

const E4 = new DecimalGrid('0.0001');
const E2 = new DecimalGrid('0.01');

interface Entry { readonly id: number; readonly info: KalshiMarketInfo; seq: number }

export class KalshiMarketData {
  private readonly byTicker = new Map<string, Entry>();
  readonly counters = { snapshots: 0, levels: 0, trades: 0, offGrid: 0, stale: 0 };
  private tradeSeq = 1;

  /** markets: the YES instruments, with their ingest symbol ids (first free id upward from firstSymbolId). */
  private readonly nowNs: () => number;
  private readonly driveClock: boolean;

  /** clock: where event times come from (default the wall clock) and whether the adapter moves the ingest's clock (a replay's caller does). */
  constructor(private readonly ingest: FeedIngest, markets: Iterable<KalshiMarketInfo>, firstSymbolId = 0, closeTsNs: (m: KalshiMarketInfo) => number = (m) => (m.closeTime !== undefined ? Date.parse(m.closeTime) * 1e6 : 0),
    clock: { nowNs?: () => number; driveClock?: boolean } = {}) {
    this.nowNs = clock.nowNs ?? (() => Date.now() * 1e6);
    this.driveClock = clock.driveClock ?? true;
    this.closeTsNs = closeTsNs;
    let id = firstSymbolId;
    for (const m of markets) this.add(m, id++);
  }

  private readonly closeTsNs: (m: KalshiMarketInfo) => number;

  /** Defines one more market's YES instrument on the ingest under symbol id `id` (a market known after start). */
  add(m: KalshiMarketInfo, id: number): void {
    if (this.byTicker.has(m.ticker)) return;
    const e: Entry = { id, info: m, seq: 0 };
    this.ingest.instrument({ symbolId: e.id, symbol: m.ticker, kind: 'binary', tickSize: m.instrument.tickSize, lotSize: m.instrument.lotSize, resolutionTsNs: this.closeTsNs(m) || 0 });
    this.byTicker.set(m.ticker, e);
  }

  /** Wires a WebSocket client's book, trade and stale callbacks into the ingest. */
  attach(ws: KalshiWsClient): void {
    const prev = ws.handlers;
    ws.handlers = {
      ...prev,
      onBook: (b, fresh, ch) => { prev.onBook?.(b, fresh, ch); if (fresh) this.snapshot(b); else if (ch !== undefined) this.level(b.ticker, ch.side, ch.priceE4, ch.countE2); },
      onStale: (t, r) => { prev.onStale?.(t, r); for (const x of t) this.stale(x); },
      onTrade: (m) => { prev.onTrade?.(m); this.trade(m); },
    };
  }

  private tick(e: Entry, e4: number): number { return e.info.instrument.price.toUnitsOrNaN(E4.format(e4)); }
  /** 1/100 contracts → lots of the instrument (NaN when not whole lots: a fractional count on a 1-contract lot). */
  private lots(e: Entry, countE2: number): number { return e.info.instrument.qty.toUnitsOrNaN(E2.format(countE2)); }

  snapshot(b: LocalBook): void {
    const e = this.byTicker.get(b.ticker);
    if (e === undefined) return;
    const yes = b.levels('yes'), no = b.levels('no');
    const bids = new Float64Array(yes.length * 2), asks = new Float64Array(no.length * 2);
    let nb = 0, na = 0;
    for (const [p, c] of yes) { const t = this.tick(e, p), l = this.lots(e, c); if (Number.isNaN(t) || Number.isNaN(l)) { this.counters.offGrid++; continue; } bids[2 * nb] = t; bids[2 * nb + 1] = l; nb++; }
    for (const [p, c] of no) { const t = this.tick(e, 10000 - p), l = this.lots(e, c); if (Number.isNaN(t) || Number.isNaN(l)) { this.counters.offGrid++; continue; } asks[2 * na] = t; asks[2 * na + 1] = l; na++; }
    if (this.driveClock) this.ingest.setClock();
    this.ingest.snapshot(e.id, ++e.seq, this.nowNs(), bids, nb, asks, na);
    this.ingest.endOfBatch(0);
    this.counters.snapshots++;
  }

  level(ticker: string, side: 'yes' | 'no', priceE4: number, countE2: number): void {
    const e = this.byTicker.get(ticker);
    if (e === undefined) return;
    const t = this.tick(e, side === 'yes' ? priceE4 : 10000 - priceE4);
    const l = this.lots(e, countE2);
    if (Number.isNaN(t) || Number.isNaN(l)) { this.counters.offGrid++; return; }
    if (this.driveClock) this.ingest.setClock();
    this.ingest.levelSet(e.id, ++e.seq, this.nowNs(), side === 'yes' ? SIDE_BID : SIDE_ASK, t, l);
    this.ingest.endOfBatch(0);
    this.counters.levels++;
  }

  trade(m: Record<string, unknown>): void {
    const e = this.byTicker.get(String(m['market_ticker'] ?? ''));
    if (e === undefined) return;
    const t = e.info.instrument.price.toUnitsOrNaN(String(m['yes_price_dollars']));
    const c = e.info.instrument.qty.toUnitsOrNaN(String(m['count_fp']));
    if (Number.isNaN(t) || !(c > 0)) { this.counters.offGrid++; return; }
    // ts_ms when given; a whole-second ts is up to a second early: the receive time when it falls in that second
    const now = this.nowNs();
    const sec = typeof m['ts'] === 'number' ? m['ts'] * 1e9 : NaN;
    const ts = typeof m['ts_ms'] === 'number' ? m['ts_ms'] * 1e6 : Number.isFinite(sec) ? (now >= sec && now < sec + 2e9 ? now : sec) : now;
    if (this.driveClock) this.ingest.setClock();
    this.ingest.trade(e.id, ++e.seq, ts, m['taker_side'] === 'yes' ? SIDE_BID : SIDE_ASK, t, c, this.tradeSeq++);
    this.ingest.endOfBatch(0);
    this.counters.trades++;
  }

  stale(ticker: string): void {
    const e = this.byTicker.get(ticker);
    if (e === undefined) return;
    this.ingest.invalidate(e.id);
    this.counters.stale++;
  }

  symbolId(ticker: string): number | undefined { return this.byTicker.get(ticker)?.id; }
}
