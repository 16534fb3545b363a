// The ingest engine: the FeedSink every market-data source ends in. It owns the
// symbol registry (feed symbolId → instrument and WASM book slot), checks each
// symbol's sequence numbers, applies levels to the WASM books synchronously, and
// at the end of each batch reports the symbols whose books changed.
//
// Sequence rules per symbol: a snapshot is always accepted and makes the book
// live (nextSeq = its seq + 1). While live, a message with seq == nextSeq applies;
// seq < nextSeq is ignored (duplicate / reordered); seq > nextSeq is a gap: the
// book is cleared, the symbol goes stale (quotes must be pulled), and everything
// but a snapshot is dropped until the next snapshot resyncs it. A level the book
// refuses (a delta below zero) is an integrity error with the same consequence.
//
// Nothing here allocates per message: counters are plain fields, the dirty set is
// a preallocated array of ids.
//
// Protocol v1 frames can skip the per-message calls: applyFrameFast() hands a whole
// frame to the WASM fast path (src/wasm/frame-fast-path.ts), which applies it when
// it is only level updates (and trades) of live symbols in sequence, and otherwise
// changes nothing so the caller decodes it into this sink as usual. This class
// stays the owner of every symbol's state: it writes what the fast path needs
// (book slot, live, next seq) into WASM whenever that changes, and reads back what
// a fast frame did.
import { SpreadcoreError } from '../../errors.js';
import { Instrument } from '../../orderbook/instrument.js';
import { BookSlots } from '../../orderbook/order-book.js';
import { WasmBooks } from '../../wasm/book-api.js';
import { FrameFastPath } from '../../wasm/frame-fast-path.js';
import { ERR_OK, FAST_APPLIED, FAST_FALLBACK_TYPE, FAST_TRADES, MAX_BOOKS } from '../../wasm/layout.js';
import { monoNowNs } from '../../net/clock.js';
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed-sink.js';
import { DECODE_ERR_SINK_THREW, DECODE_OK } from '../protocol/decode-codes.js';
import { isQuotable, newCounters, type StaleReason, type SymbolState } from './symbol-state.js';

export const MAX_SYMBOL_ID = 65535;

let nextIngestId = 1;

export interface IngestListener {
  /** After each batch: the symbols whose books or trades changed, in first-touched order. */
  onBatch?(ingest: FeedIngest, dirty: Int32Array, nDirty: number, sendTsNs: number): void;
  /** A symbol stopped being usable for quoting (pull its quotes). */
  onStale?(s: SymbolState, reason: StaleReason | 'crossed' | 'stale-feed'): void;
  /** A symbol became usable again. */
  onLive?(s: SymbolState): void;
  /**
   * The symbol's instrument was redefined: another tick or lot size, kind or resolution
   * (s is the new state, prev the old one; called before onStale). Orders and quotes
   * on the old grid are meaningless from here on.
   */
  onRedefined?(s: SymbolState, prev: SymbolState): void;
  /** A binary contract resolved (once per symbol): positions settle at 1 (yes) or 0 (no). */
  onSettled?(s: SymbolState, outcome: 'yes' | 'no', tsExchNs: number): void;
  onTrade?(s: SymbolState, aggressorSide: SideCode, tick: number, qtyLot: number, tsExchNs: number, tradeId: number): void;
}

export interface IngestCounters {
  /** Messages for a symbolId no instrument definition declared. */
  unknownSymbol: number;
  /** Messages with non-integer or negative sequence numbers / ids, bad sides, NaN values. */
  malformed: number;
  /** Instrument definitions refused: bad grid, or every WASM book slot in use. */
  refusedDefinitions: number;
  heartbeats: number;
  batches: number;
}

export interface FeedIngestOptions {
  listener?: IngestListener;
  /** A symbol with no message (heartbeats count) for this long is stale-feed. Default 5,000 ms. */
  staleFeedMs?: number;
}

export class FeedIngest implements FeedSink {
  readonly books: WasmBooks;
  /** The WASM fast path for whole protocol v1 frames (see applyFrameFast). */
  readonly fastPath: FrameFastPath;
  /** What a listener threw while a fast-path frame was applied. */
  lastListenerError: unknown = undefined;
  readonly counters: IngestCounters = { unknownSymbol: 0, malformed: 0, refusedDefinitions: 0, heartbeats: 0, batches: 0 };
  listener: IngestListener;
  staleFeedNs: number;

  private readonly bySymbolId: (SymbolState | undefined)[] = [];
  private readonly bySymbol = new Map<string, SymbolState>();
  private readonly slots: BookSlots;
  /** Prefix of this ingest's keys in the core-wide slot registry: ingests never share a book. */
  private readonly ingestId = nextIngestId++;
  private readonly slotKey = `ingest${this.ingestId}:`;
  private readonly dirty = new Int32Array(MAX_BOOKS);
  private readonly dirtyFlag = new Uint8Array(MAX_SYMBOL_ID + 1);
  private nDirty = 0;
  private lastMonoNs = 0;
  /** Symbols whose book refused a level in a fast-path frame, and whether each was quotable. */
  private readonly refusedIds = new Int32Array(MAX_BOOKS);
  private readonly refusedWasQuotable = new Uint8Array(MAX_BOOKS);
  /** A subclass that overrides the level or trade calls must see each one: the fast path leaves those to the decoder. */
  private readonly fastLevels: boolean;
  private readonly fastTrades: boolean;

  constructor(books: WasmBooks = new WasmBooks(), options: FeedIngestOptions = {}) {
    this.books = books;
    this.fastPath = new FrameFastPath(books.core);
    const own = FeedIngest.prototype;
    this.fastLevels = this.levelSet === own.levelSet && this.levelChange === own.levelChange;
    this.fastTrades = this.trade === own.trade;
    this.slots = BookSlots.forCore(books.core);
    this.listener = options.listener ?? {};
    const ms = options.staleFeedMs ?? 5000;
    if (!(ms > 0) || !Number.isFinite(ms)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `staleFeedMs must be a positive number, got ${ms}`);
    this.staleFeedNs = ms * 1e6;
    this.lastMonoNs = monoNowNs();
  }

  // ---- registry ---------------------------------------------------------------------
  symbolState(symbolId: number): SymbolState | undefined { return this.bySymbolId[symbolId]; }
  bySymbolName(symbol: string): SymbolState | undefined { return this.bySymbol.get(symbol); }
  symbols(): SymbolState[] { return [...this.bySymbol.values()]; }
  quotable(symbolId: number): boolean {
    const s = this.bySymbolId[symbolId];
    return s !== undefined && isQuotable(s);
  }

  instrument(def: InstrumentDefinition): void {
    const id = def.symbolId;
    if (!Number.isInteger(id) || id < 0 || id > MAX_SYMBOL_ID) { this.counters.malformed++; return; }
    let instrument: Instrument;
    try {
      instrument = new Instrument({ symbol: def.symbol, tickSize: def.tickSize, lotSize: def.lotSize, kind: def.kind });
    } catch {
      this.counters.refusedDefinitions++;
      return;
    }
    const prev = this.bySymbolId[id];
    const sameGrid = prev !== undefined && prev.symbol === def.symbol && prev.instrument.tickSize === def.tickSize
      && prev.instrument.lotSize === def.lotSize && prev.kind === def.kind && prev.resolutionTsNs === def.resolutionTsNs;
    if (sameGrid) return; // a repeated definition (e.g. on reconnect) changes nothing
    const other = this.bySymbol.get(def.symbol);
    if (other !== undefined && other.symbolId !== id) {
      // the symbol moved to another id: the old id goes away
      this.bySymbolId[other.symbolId] = undefined;
    }
    if (prev !== undefined && prev.symbol !== def.symbol) {
      this.bySymbol.delete(prev.symbol);
      this.fastPath.release(prev.book);
      this.slots.release(this.slotKey + prev.symbol);
    }
    let book: number;
    try {
      book = this.slots.acquire(this.slotKey + def.symbol);
    } catch {
      // every book slot is in use: the symbol stays unknown and its messages are counted as such
      this.counters.refusedDefinitions++;
      if (prev !== undefined) this.bySymbolId[id] = undefined;
      return;
    }
    this.books.reset(book);
    const s: SymbolState = {
      symbolId: id, symbol: def.symbol, kind: def.kind, instrument, book, resolutionTsNs: def.resolutionTsNs,
      state: 'awaiting-snapshot', staleReason: prev !== undefined ? 'redefined' : null, nextSeq: 0, crossed: false, staleFeed: false,
      lastMsgMonoNs: this.now(), lastTsExchNs: 0, lastTradeTick: NaN, lastTradeLot: 0, lastTradeSide: -1, lastTradeId: -1, settled: prev?.symbol === def.symbol ? prev.settled : null,
      counters: prev?.symbol === def.symbol ? prev.counters : newCounters(),
    };
    this.bySymbolId[id] = s;
    this.bySymbol.set(def.symbol, s);
    this.syncFast(s);
    if (prev !== undefined && prev.symbol === def.symbol) this.listener.onRedefined?.(s, prev);
    if (prev !== undefined && isQuotable(prev)) this.listener.onStale?.(s, 'redefined');
  }

  /**
   * A binary contract resolved (FeedSink.settle): recorded on the symbol and told to
   * the listener once; a repeat, an unknown symbol or a non-binary one is counted and
   * ignored.
   */
  settle(symbolId: number, tsExchNs: number, outcome: 'yes' | 'no'): void {
    const s = this.bySymbolId[symbolId];
    if (s === undefined) { this.counters.unknownSymbol++; return; }
    if (s.kind !== 'binary' || (outcome !== 'yes' && outcome !== 'no') || !Number.isFinite(tsExchNs)) { this.counters.malformed++; return; }
    if (s.settled !== null) return;
    s.settled = outcome;
    if (tsExchNs > s.lastTsExchNs) s.lastTsExchNs = tsExchNs;
    this.listener.onSettled?.(s, outcome, tsExchNs);
  }

  // ---- messages ------------------------------------------------------------------------
  private now(): number {
    return this.lastMonoNs;
  }

  /** Writes what the fast path needs about s into WASM: a live, fed symbol takes in-sequence updates there. */
  private syncFast(s: SymbolState): void {
    this.fastPath.setSymbol(s.book, this.ingestId, s.symbolId, s.state === 'live' && !s.staleFeed, s.nextSeq);
  }

  /** Looks the symbol up and checks its sequence number; returns it when the message applies. */
  private admit(symbolId: number, seq: number, tsExchNs: number, snapshot: boolean): SymbolState | undefined {
    const s = this.bySymbolId[symbolId];
    if (s === undefined) { this.counters.unknownSymbol++; return undefined; }
    if (!Number.isSafeInteger(seq) || seq < 0 || !Number.isFinite(tsExchNs)) { this.counters.malformed++; return undefined; }
    s.counters.messages++;
    s.lastMsgMonoNs = this.lastMonoNs;
    if (s.staleFeed) { s.staleFeed = false; this.syncFast(s); this.markDirty(s); if (isQuotable(s)) this.listener.onLive?.(s); }
    if (snapshot) return s;
    if (s.state !== 'live') { s.counters.droppedWhileStale++; return undefined; }
    if (seq < s.nextSeq) { s.counters.outOfOrder++; return undefined; }
    if (seq > s.nextSeq) {
      s.counters.gaps++;
      this.goStale(s, 'gap');
      return undefined;
    }
    s.nextSeq = seq + 1;
    this.fastPath.setNextSeq(s.book, s.nextSeq);
    s.lastTsExchNs = tsExchNs;
    return s;
  }

  private goStale(s: SymbolState, reason: StaleReason): void {
    if (this.markStale(s, reason)) this.listener.onStale?.(s, reason);
  }

  /** goStale without the listener call; returns whether s was quotable. */
  private markStale(s: SymbolState, reason: StaleReason): boolean {
    const was = isQuotable(s);
    s.state = 'stale';
    s.staleReason = reason;
    s.crossed = false;
    this.syncFast(s);
    this.books.clear(s.book);
    this.markDirty(s);
    return was;
  }

  private markDirty(s: SymbolState): void {
    if (this.dirtyFlag[s.symbolId] === 1) return;
    this.dirtyFlag[s.symbolId] = 1;
    if (this.nDirty < this.dirty.length) this.dirty[this.nDirty++] = s.symbolId;
  }

  snapshot(symbolId: number, seq: number, tsExchNs: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    const s = this.admit(symbolId, seq, tsExchNs, true);
    if (s === undefined) return;
    if (!(nBids >= 0 && nAsks >= 0 && 2 * nBids <= bids.length && 2 * nAsks <= asks.length)) { this.counters.malformed++; return; }
    const books = this.books;
    const book = s.book;
    books.clear(book);
    let refused = 0;
    for (let i = 0; i < nBids; i++) if (books.set(book, 0, bids[2 * i]!, bids[2 * i + 1]!) !== ERR_OK) refused++;
    for (let i = 0; i < nAsks; i++) if (books.set(book, 1, asks[2 * i]!, asks[2 * i + 1]!) !== ERR_OK) refused++;
    s.counters.snapshots++;
    this.markDirty(s);
    if (refused > 0) {
      s.counters.rejected += refused;
      this.goStale(s, 'integrity');
      return;
    }
    const was = isQuotable(s);
    s.state = 'live';
    s.staleReason = null;
    s.nextSeq = seq + 1;
    s.lastTsExchNs = tsExchNs;
    this.syncFast(s);
    if (!was && isQuotable(s)) this.listener.onLive?.(s);
  }

  levelSet(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, qtyLot: number): void {
    const s = this.admit(symbolId, seq, tsExchNs, false);
    if (s === undefined) return;
    if (this.books.set(s.book, side, tick, qtyLot) !== ERR_OK) { s.counters.rejected++; this.goStale(s, 'integrity'); return; }
    this.markDirty(s);
  }

  /**
   * levelSet for the n levels of one event of a symbol, seqs firstSeq … firstSeq + n − 1, all
   * at tsExchNs: pairs holds (tick, lots), the first nBids pairs bids (side 0), the rest asks.
   * The same outcome as those n levelSet calls in that order (book, state, counters,
   * listener calls), with the per-message bookkeeping done once while the book accepts them.
   * A subclass that sees each levelSet call (ForwardingIngest) applies them one by one.
   */
  levelSetRun(symbolId: number, firstSeq: number, tsExchNs: number, pairs: Float64Array, nBids: number, n: number): void {
    const s = this.bySymbolId[symbolId];
    let i = 0;
    if (s !== undefined && n > 0 && 2 * n <= pairs.length && s.state === 'live' && !s.staleFeed && firstSeq === s.nextSeq
      && firstSeq >= 0 && Number.isSafeInteger(firstSeq + n) && Number.isFinite(tsExchNs)) {
      const books = this.books;
      const book = s.book;
      while (i < n && books.set(book, i < nBids ? 0 : 1, pairs[2 * i]!, pairs[2 * i + 1]!) === ERR_OK) i++;
      const admitted = i < n ? i + 1 : n; // a refused level was admitted first
      s.counters.messages += admitted;
      s.lastMsgMonoNs = this.lastMonoNs;
      s.nextSeq = firstSeq + admitted;
      this.fastPath.setNextSeq(book, s.nextSeq);
      s.lastTsExchNs = tsExchNs;
      if (i < n) {
        s.counters.rejected++;
        this.goStale(s, 'integrity');
        i++;
      } else {
        this.markDirty(s);
      }
    }
    for (; i < n; i++) this.levelSet(symbolId, firstSeq + i, tsExchNs, i < nBids ? 0 : 1, pairs[2 * i]!, pairs[2 * i + 1]!);
  }

  levelChange(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, deltaLot: number): void {
    const s = this.admit(symbolId, seq, tsExchNs, false);
    if (s === undefined) return;
    if (this.books.change(s.book, side, tick, deltaLot) !== ERR_OK) { s.counters.rejected++; this.goStale(s, 'integrity'); return; }
    this.markDirty(s);
  }

  trade(symbolId: number, seq: number, tsExchNs: number, aggressorSide: SideCode, tick: number, qtyLot: number, tradeId: number): void {
    const s = this.admit(symbolId, seq, tsExchNs, false);
    if (s === undefined) return;
    if ((aggressorSide !== 0 && aggressorSide !== 1) || !Number.isSafeInteger(tick) || !Number.isSafeInteger(qtyLot) || qtyLot <= 0) {
      this.counters.malformed++;
      return;
    }
    s.counters.trades++;
    s.lastTradeTick = tick;
    s.lastTradeLot = qtyLot;
    s.lastTradeSide = aggressorSide;
    s.lastTradeId = tradeId;
    this.markDirty(s);
    this.listener.onTrade?.(s, aggressorSide, tick, qtyLot, tsExchNs, tradeId);
  }

  heartbeat(tsExchNs: number): void {
    this.counters.heartbeats++;
    for (const s of this.bySymbol.values()) {
      s.lastMsgMonoNs = this.lastMonoNs;
      if (s.staleFeed) { s.staleFeed = false; this.syncFast(s); this.markDirty(s); if (isQuotable(s)) this.listener.onLive?.(s); }
    }
    void tsExchNs;
  }

  /**
   * A source lost sync for a symbol in its own terms (e.g. a Binance update-id gap):
   * the book is cleared and stale until the next snapshot.
   */
  invalidate(symbolId: number): void {
    const s = this.bySymbolId[symbolId];
    if (s === undefined) { this.counters.unknownSymbol++; return; }
    if (s.state === 'live') s.counters.gaps++;
    this.goStale(s, 'invalidated');
  }

  endOfBatch(sendTsNs: number): void {
    this.counters.batches++;
    const n = this.nDirty;
    for (let i = 0; i < n; i++) {
      const s = this.bySymbolId[this.dirty[i]!];
      if (s === undefined || s.state !== 'live') continue;
      const crossed = this.books.isCrossed(s.book);
      if (crossed !== s.crossed) {
        const was = isQuotable(s);
        s.crossed = crossed;
        if (crossed) { s.counters.crossedBatches++; if (was) this.listener.onStale?.(s, 'crossed'); }
        else if (isQuotable(s)) this.listener.onLive?.(s);
      } else if (crossed) {
        s.counters.crossedBatches++;
      }
    }
    if (n > 0) this.listener.onBatch?.(this, this.dirty, n, sendTsNs);
    for (let i = 0; i < n; i++) this.dirtyFlag[this.dirty[i]!] = 0;
    this.nDirty = 0;
  }

  /**
   * One protocol v1 frame through the WASM fast path. When every message is a level
   * set or change (or a trade, while no onTrade listener is set) of a live symbol of
   * this ingest carrying exactly its next seq, and the whole frame passes the
   * protocol's checks, the frame is applied with the same outcome as
   * FrameDecoder.decodeFrame(frame, this) — books, symbol states and counters, the
   * batch report — and DECODE_OK is returned (DECODE_ERR_SINK_THREW when a listener
   * threw; the frame is applied all the same). Otherwise nothing changes and a
   * FAST_FALLBACK_* code (< 0) says why: decode the frame with FrameDecoder instead.
   * A symbol whose book refused a level goes stale after the frame's updates were
   * applied (in the decoder path, at the refused message). A subclass overriding
   * levelSet or levelChange gets every frame handed back, one overriding trade every
   * frame with a trade.
   */
  applyFrameFast(frame: Uint8Array): number {
    const fp = this.fastPath;
    if (!this.fastLevels) return fp.handBack(FAST_FALLBACK_TYPE);
    const r = fp.apply(frame, this.ingestId, this.fastTrades && this.listener.onTrade === undefined ? FAST_TRADES : 0);
    if (r !== FAST_APPLIED) return r;
    const now = this.lastMonoNs;
    const n = fp.touchedCount;
    for (let i = 0; i < n; i++) {
      const book = fp.touchedBook(i);
      const s = this.bySymbolId[fp.symbolOf(book)];
      if (s === undefined || s.book !== book) {
        throw new SpreadcoreError('SPREADCORE_ERR_BAD_BOOK', `fast path record of book ${book} does not match the ingest's symbols`);
      }
      const c = s.counters;
      c.messages += fp.messages(book);
      s.lastMsgMonoNs = now;
      s.nextSeq = fp.nextSeq(book);
      s.lastTsExchNs = fp.lastTsExchNs(book);
      const trades = fp.trades(book);
      if (trades > 0) {
        c.trades += trades;
        s.lastTradeTick = fp.tradeTick(book);
        s.lastTradeLot = fp.tradeLot(book);
        s.lastTradeSide = fp.tradeSide(book);
        s.lastTradeId = fp.tradeId(book);
      }
      this.markDirty(s);
    }
    // refused levels: every state change first, then the listener calls, in refusal order
    const nRefused = fp.refusedCount;
    for (let i = 0; i < nRefused; i++) {
      const book = fp.refusedBook(i);
      const s = this.bySymbolId[fp.symbolOf(book)]!;
      s.counters.rejected++;
      s.counters.droppedWhileStale += fp.dropped(book);
      this.refusedIds[i] = s.symbolId;
      this.refusedWasQuotable[i] = this.markStale(s, 'integrity') ? 1 : 0;
    }
    try {
      for (let i = 0; i < nRefused; i++) {
        if (this.refusedWasQuotable[i] === 1) this.listener.onStale?.(this.bySymbolId[this.refusedIds[i]!]!, 'integrity');
      }
      if (fp.endOfBatch) this.endOfBatch(fp.sendTsNs);
    } catch (e) {
      this.lastListenerError = e;
      fp.listenerThrew++;
      return DECODE_ERR_SINK_THREW;
    }
    return DECODE_OK;
  }

  /** Gives every book slot back to the core (the ingest is done; its symbols are forgotten). */
  close(): void {
    for (const s of this.bySymbol.values()) {
      this.books.reset(s.book);
      this.fastPath.release(s.book);
      this.slots.release(this.slotKey + s.symbol);
    }
    this.bySymbol.clear();
    this.bySymbolId.length = 0;
  }

  /**
   * The receive clock for staleness: the transport sets it once per frame (so each
   * message does not read the clock). Defaults to reading the clock.
   */
  setClock(monoNs: number = monoNowNs()): void {
    this.lastMonoNs = monoNs;
  }

  /** Marks symbols with no message for longer than the stale-feed interval; returns how many went stale. */
  checkStaleFeed(nowMonoNs: number = monoNowNs()): number {
    let n = 0;
    for (const s of this.bySymbol.values()) {
      if (s.staleFeed || nowMonoNs - s.lastMsgMonoNs <= this.staleFeedNs) continue;
      const was = isQuotable(s);
      s.staleFeed = true;
      this.syncFast(s);
      s.counters.staleFeeds++;
      n++;
      if (was) this.listener.onStale?.(s, 'stale-feed');
    }
    return n;
  }
}
