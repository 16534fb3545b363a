// Binance messages → FeedSink calls on the common ingest path (FeedIngest).
// One DepthSync per symbol applies Binance's local-book rules; its target is the
// ingest (IngestDepthTarget), so the WASM books are only ever written by the
// ingest. Per symbol:
//  - instrument: declared from the instrument table when the adapter is built, and
//    redefined on new grids when the venue changes them (redefine());
//  - REST snapshot: ingest.snapshot (seq N) once an event bridges it;
//  - applied depth event: one levelSet per level (N+1, N+2, ...), then endOfBatch;
//  - trade / aggTrade: ingest.trade (same seq counter), then endOfBatch; repeats
//    (trade id not above the last one, e.g. after a reconnect) are dropped;
//  - update-id gap or bad depth event: ingest.invalidate(symbolId) — stale, no
//    quotes — until a new snapshot resyncs (needsSnapshot tells the transport);
//  - bookTicker: compared with the ingest's book when their update ids meet.
import { SpreadcoreError } from '../../errors.js';
import type { Instrument } from '../../orderbook/instrument.js';
import type { FeedIngest } from '../ingest/feed-ingest.js';
import { SIDE_ASK, SIDE_BID } from '../feed-sink.js';
import {
  DepthSync, SYNC_APPLIED, SYNC_GAP, SYNC_REJECTED, SYNC_WRONG_SYMBOL,
  type LevelCache, type SequenceGap, type SyncOutcome,
} from './depth-sync.js';
import { IngestDepthTarget, type SeqCounter } from './ingest-depth-target.js';
import { instrumentOfSpec, resolveBinanceInstrumentSpec, type BinanceInstrumentSpec } from './instruments.js';
import type { AggTrade, BinanceMarket, BinanceMessage, BookTicker, DepthSnapshot, DepthUpdate, Trade } from './messages.js';
import { TopOfBookCheck } from './top-of-book-check.js';

/** Which trade stream feeds ingest.trade (the other one is ignored: both carry the same trades). */
export type BinanceTradeSource = 'trade' | 'aggTrade';

export interface BinanceSymbolBinding {
  readonly symbol: string;
  /** The feed symbolId in the ingest (0..65535). */
  readonly symbolId: number;
}

export interface BinanceIngestAdapterOptions {
  market: BinanceMarket;
  /** Symbols (upper case, e.g. "BTCUSDT") with their ingest symbolIds; plain names get firstSymbolId, +1, ... */
  symbols: readonly (string | BinanceSymbolBinding)[];
  firstSymbolId?: number;
  tradeSource?: BinanceTradeSource;
  /** Grids for symbols the built-in table does not know, or replacing its grids (e.g. a backtest's params file). */
  instruments?: readonly BinanceInstrumentSpec[];
  /** Depth events held per symbol while waiting for a snapshot. Default 10,000. */
  maxBuffered?: number;
  /** Converted depth levels shared by the syncs of adapters that replay the same parsed messages (DepthSyncOptions.levelCache). */
  levelCache?: LevelCache;
  /** After each applied depth event (the ingest's batch has ended). */
  onApplied?: (symbol: string, finalUpdateId: number) => void;
  /** An update-id gap: the symbol is stale until a new snapshot. */
  onGap?: (symbol: string, gap: SequenceGap) => void;
  /** A depth event or snapshot that could not be applied (bad level, refused by the book). */
  onRejected?: (symbol: string, error: SpreadcoreError) => void;
}

export interface BinanceAdapterCounters {
  depthEvents: number;
  appliedEvents: number;
  droppedEvents: number;
  bufferedEvents: number;
  gaps: number;
  rejectedEvents: number;
  snapshots: number;
  trades: number;
  /** Trades already forwarded (same or older trade id). */
  repeatedTrades: number;
  /** Trades of the trade stream not selected by tradeSource. */
  ignoredTrades: number;
  bookTickers: number;
  /** Messages for a symbol this adapter does not carry. */
  unknownSymbol: number;
  /** Trade prices/quantities off the instrument's grid. */
  badTrades: number;
}

/** The per-symbol state of the adapter. */
export class BinanceSymbolFeed {
  readonly symbol: string;
  readonly symbolId: number;
  readonly instrument: Instrument;
  readonly sync: DepthSync;
  readonly target: IngestDepthTarget;
  /** The seq counter shared by the depth target and trades. */
  readonly counter: SeqCounter;
  readonly topCheck: TopOfBookCheck;
  lastTradeId = -1;
  /** The last trade's price and quantity texts and their units: consecutive trades often repeat a price, whose parse is then skipped. */
  lastPriceText = '';
  lastTick = Number.NaN;
  lastQtyText = '';
  lastLots = Number.NaN;

  constructor(symbol: string, symbolId: number, instrument: Instrument, sync: DepthSync, target: IngestDepthTarget) {
    this.symbol = symbol;
    this.symbolId = symbolId;
    this.instrument = instrument;
    this.sync = sync;
    this.target = target;
    this.counter = target.counter;
    this.topCheck = new TopOfBookCheck(instrument);
  }
}

export class BinanceIngestAdapter {
  readonly ingest: FeedIngest;
  readonly market: BinanceMarket;
  readonly tradeSource: BinanceTradeSource;
  readonly counters: BinanceAdapterCounters = {
    depthEvents: 0, appliedEvents: 0, droppedEvents: 0, bufferedEvents: 0, gaps: 0, rejectedEvents: 0, snapshots: 0,
    trades: 0, repeatedTrades: 0, ignoredTrades: 0, bookTickers: 0, unknownSymbol: 0, badTrades: 0,
  };
  /** The last error of any kind (bad level, unknown symbol, gap), for reporting. */
  lastError: SpreadcoreError | null = null;
  private readonly feeds = new Map<string, BinanceSymbolFeed>();
  private readonly options: BinanceIngestAdapterOptions;

  constructor(ingest: FeedIngest, options: BinanceIngestAdapterOptions) {
    this.ingest = ingest;
    this.market = options.market;
    this.options = options;
    this.tradeSource = options.tradeSource ?? 'trade';
    if (this.tradeSource !== 'trade' && this.tradeSource !== 'aggTrade') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `tradeSource must be "trade" or "aggTrade", got ${JSON.stringify(this.tradeSource)}`);
    }
    if (options.symbols.length === 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'at least one symbol is needed');
    let nextId = options.firstSymbolId ?? 0;
    const ids = new Set<number>();
    for (const s of options.symbols) {
      const binding = typeof s === 'string' ? { symbol: s, symbolId: nextId++ } : s;
      const { symbol, symbolId } = binding;
      if (!Number.isInteger(symbolId) || symbolId < 0 || symbolId > 65535) {
        throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `symbolId of ${symbol} must be an integer in 0..65535, got ${symbolId}`);
      }
      if (this.feeds.has(symbol)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `symbol ${symbol} is listed twice`);
      if (ids.has(symbolId)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `symbolId ${symbolId} is used twice`);
      ids.add(symbolId);
      this.addSymbol(symbol, symbolId);
    }
  }

  private addSymbol(symbol: string, symbolId: number): void {
    const spec = resolveBinanceInstrumentSpec(this.market, symbol, this.options.instruments);
    // the ingest may carry other sources: never take over their symbols or ids
    const byId = this.ingest.symbolState(symbolId);
    const byName = this.ingest.bySymbolName(symbol);
    if (byId !== undefined && byId.symbol !== symbol) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `symbolId ${symbolId} is already ${byId.symbol} in the ingest`);
    }
    if (byName !== undefined && byName.symbolId !== symbolId) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${symbol} is already symbolId ${byName.symbolId} in the ingest`);
    }
    this.feeds.set(symbol, this.declare(symbol, symbolId, spec));
  }

  /**
   * The venue changed the symbol's grid while we run: the instrument is redefined in the
   * ingest on the new grids (its listener's onRedefined runs; the book waits for a snapshot)
   * and the symbol's depth sync starts over on them, waiting for a new snapshot.
   */
  redefine(symbol: string, spec: BinanceInstrumentSpec): void {
    const f = this.feeds.get(symbol);
    if (f === undefined) throw new SpreadcoreError('SPREADCORE_ERR_UNKNOWN_SYMBOL', `${symbol} is not carried by this ${this.market} feed`);
    if (spec.symbol !== symbol || spec.market !== this.market) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `grids of Binance ${spec.market} ${spec.symbol} given for ${this.market} ${symbol}`);
    }
    const next = this.declare(symbol, f.symbolId, spec);
    next.lastTradeId = f.lastTradeId;
    this.feeds.set(symbol, next);
  }

  /** Defines (or redefines) the symbol in the ingest on the spec's grids; the symbol's new feed state. */
  private declare(symbol: string, symbolId: number, spec: BinanceInstrumentSpec): BinanceSymbolFeed {
    const instrument = instrumentOfSpec(spec);
    this.ingest.instrument({
      symbolId, symbol, kind: instrument.kind, tickSize: spec.tickSize, lotSize: spec.lotSize, resolutionTsNs: 0,
    });
    const declared = this.ingest.symbolState(symbolId);
    if (declared === undefined || declared.symbol !== symbol || declared.instrument.tickSize !== spec.tickSize
      || declared.instrument.lotSize !== spec.lotSize) {
      throw new SpreadcoreError('SPREADCORE_ERR_BOOK_FULL',
        `the ingest refused ${symbol} as symbolId ${symbolId} (every WASM book slot in use, or the symbol is declared with other grids)`);
    }
    const counter: SeqCounter = { seq: 0 };
    const target = new IngestDepthTarget(this.ingest, symbolId, counter);
    const onApplied = this.options.onApplied;
    let feed: BinanceSymbolFeed | undefined;
    const sync = new DepthSync(target, instrument, this.market, {
      maxBuffered: this.options.maxBuffered,
      levelCache: this.options.levelCache,
      onApplied: (u) => {
        const f = feed!;
        this.counters.appliedEvents++;
        const st = this.ingest.symbolState(symbolId);
        if (st !== undefined) f.topCheck.onApplied(u, this.ingest.books, st.book);
        if (onApplied !== undefined) onApplied(symbol, u);
      },
    });
    feed = new BinanceSymbolFeed(symbol, symbolId, instrument, sync, target);
    return feed;
  }

  // ---- lookups -------------------------------------------------------------------------
  get symbols(): string[] { return [...this.feeds.keys()]; }
  feed(symbol: string): BinanceSymbolFeed | undefined { return this.feeds.get(symbol); }
  sync(symbol: string): DepthSync | undefined { return this.feeds.get(symbol)?.sync; }
  /** The symbol needs a (new) REST snapshot to go on. */
  needsSnapshot(symbol: string): boolean { return this.feeds.get(symbol)?.sync.needsSnapshot ?? false; }
  /** Every symbol is live in the Binance sense (in sequence). */
  get allLive(): boolean {
    for (const f of this.feeds.values()) if (f.sync.state !== 'live') return false;
    return true;
  }
  /** The ingest would quote this symbol (live, not crossed, not quiet). */
  quotable(symbol: string): boolean {
    const f = this.feeds.get(symbol);
    return f !== undefined && this.ingest.quotable(f.symbolId);
  }

  private unknown(what: string, symbol: string): void {
    this.counters.unknownSymbol++;
    this.lastError = new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
      `Binance ${what} for ${symbol}, which this ${this.market} feed does not carry (${this.symbols.join(', ')})`);
  }

  // ---- messages ------------------------------------------------------------------------

  /**
   * One stream message. Returns the depth outcome for depth events (SYNC_*), -1
   * for other messages. A REST snapshot carries no symbol: use onSnapshot.
   */
  onMessage(msg: BinanceMessage): SyncOutcome | -1 {
    switch (msg.kind) {
      case 'depth': return this.onDepth(msg);
      case 'trade': this.onTrade(msg); return -1;
      case 'aggTrade': this.onAggTrade(msg); return -1;
      case 'bookTicker': this.onBookTicker(msg); return -1;
      case 'snapshot':
        this.lastError = new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'a depth snapshot carries no symbol: pass it to onSnapshot(symbol, snapshot)');
        return -1;
    }
  }

  onDepth(ev: DepthUpdate): SyncOutcome {
    const f = this.feeds.get(ev.symbol);
    if (f === undefined) { this.unknown('depth event', ev.symbol); return SYNC_WRONG_SYMBOL; }
    this.counters.depthEvents++;
    const r = f.sync.onDepth(ev);
    this.count(f, r);
    return r;
  }

  /** A REST snapshot for one symbol: replaces the book and replays the buffered events. */
  onSnapshot(symbol: string, snap: DepthSnapshot): SyncOutcome {
    const f = this.feeds.get(symbol);
    if (f === undefined) { this.unknown('snapshot', symbol); return SYNC_WRONG_SYMBOL; }
    f.topCheck.clear();
    const r = f.sync.onSnapshot(snap);
    if (r !== SYNC_REJECTED) this.counters.snapshots++;
    this.count(f, r);
    return r;
  }

  /**
   * A snapshot with the depth events a new connection received for this symbol:
   * moves the symbol to that connection without invalidating the book first.
   */
  onSnapshotWith(symbol: string, snap: DepthSnapshot, events: readonly DepthUpdate[]): SyncOutcome {
    const f = this.feeds.get(symbol);
    if (f === undefined) { this.unknown('snapshot', symbol); return SYNC_WRONG_SYMBOL; }
    f.topCheck.clear();
    const r = f.sync.onSnapshotWith(snap, events);
    if (r !== SYNC_REJECTED) this.counters.snapshots++;
    this.count(f, r);
    if (r === SYNC_REJECTED && !f.sync.needsSnapshot) f.sync.reset();
    return r;
  }

  /** The stream was interrupted: the symbol is stale and waits for a new snapshot. */
  restart(symbol: string): void {
    const f = this.feeds.get(symbol);
    if (f === undefined) return;
    f.topCheck.clear();
    f.sync.reset();
  }

  restartAll(): void {
    for (const s of this.feeds.keys()) this.restart(s);
  }

  private count(f: BinanceSymbolFeed, r: SyncOutcome): void {
    const c = this.counters;
    if (r === SYNC_APPLIED) return; // applied events are counted by onApplied below
    if (r === SYNC_GAP) {
      c.gaps++;
      this.lastError = f.sync.lastError;
      if (this.options.onGap !== undefined && f.sync.lastGap !== null) this.options.onGap(f.symbol, f.sync.lastGap);
    } else if (r === SYNC_REJECTED) {
      c.rejectedEvents++;
      this.lastError = f.sync.lastError;
      if (this.options.onRejected !== undefined && f.sync.lastError !== null) this.options.onRejected(f.symbol, f.sync.lastError);
    } else if (r === 1) {
      c.bufferedEvents++;
    } else if (r === 2) {
      c.droppedEvents++;
    }
  }

  onTrade(t: Trade): void {
    if (this.tradeSource !== 'trade') { this.counters.ignoredTrades++; return; }
    this.forwardTrade(t.symbol, t.tradeId, t.price, t.qty, t.tradeTimeMs, t.buyerIsMaker);
  }

  onAggTrade(t: AggTrade): void {
    if (this.tradeSource !== 'aggTrade') { this.counters.ignoredTrades++; return; }
    this.forwardTrade(t.symbol, t.aggTradeId, t.price, t.qty, t.tradeTimeMs, t.buyerIsMaker);
  }

  private forwardTrade(symbol: string, tradeId: number, price: string, qty: string, timeMs: number, buyerIsMaker: boolean): void {
    const f = this.feeds.get(symbol);
    if (f === undefined) { this.unknown('trade', symbol); return; }
    if (tradeId <= f.lastTradeId) { this.counters.repeatedTrades++; return; }
    if (price !== f.lastPriceText) { f.lastTick = f.instrument.price.toUnitsOrNaN(price); f.lastPriceText = price; }
    if (qty !== f.lastQtyText) { f.lastLots = f.instrument.qty.toUnitsOrNaN(qty); f.lastQtyText = qty; }
    const tick = f.lastTick;
    const lots = f.lastLots;
    if (!(tick >= 0) || !(lots > 0)) {
      this.counters.badTrades++;
      this.lastError = new SpreadcoreError('SPREADCORE_ERR_OFF_GRID',
        `${symbol} trade ${tradeId}: price ${price} or quantity ${qty} is not a positive multiple of ${f.instrument.tickSize} / ${f.instrument.lotSize}`);
      return;
    }
    f.lastTradeId = tradeId;
    this.counters.trades++;
    // m: the buyer was the maker, so the taker sold (hit the bid)
    this.ingest.trade(f.symbolId, ++f.counter.seq, timeMs * 1e6, buyerIsMaker ? SIDE_ASK : SIDE_BID, tick, lots, tradeId);
    this.ingest.endOfBatch(0);
  }

  onBookTicker(t: BookTicker): void {
    const f = this.feeds.get(t.symbol);
    if (f === undefined) { this.unknown('bookTicker', t.symbol); return; }
    this.counters.bookTickers++;
    const st = this.ingest.symbolState(f.symbolId);
    if (st === undefined) return;
    const u = f.sync.state === 'live' ? f.sync.updateId : -1;
    f.topCheck.onBookTicker(t, this.ingest.books, st.book, u);
  }

  /** bookTicker comparisons over all symbols. */
  topOfBook(): { checks: number; mismatches: number; lastMismatch: string | null } {
    let checks = 0;
    let mismatches = 0;
    let lastMismatch: string | null = null;
    for (const f of this.feeds.values()) {
      checks += f.topCheck.counters.checks;
      mismatches += f.topCheck.counters.mismatches;
      lastMismatch = f.topCheck.lastMismatch ?? lastMismatch;
    }
    return { checks, mismatches, lastMismatch };
  }
}
