// The Binance market-data connector (spot or USD-M futures): one combined-streams
// WebSocket for depth, trades and bookTicker of every symbol, REST depth snapshots,
// and Binance's local-book algorithm into the common ingest path through
// BinanceIngestAdapter.
//
//  - Sync: depth events are buffered by each symbol's DepthSync; once the first
//    one has arrived (or firstEventWaitMs after the connection opened) the REST
//    snapshot is fetched and the buffer replayed onto it. A snapshot older than
//    the buffer is fetched again (snapshotRetry backoff, Retry-After honoured).
//  - Gap: the adapter invalidates the symbol in the ingest (stale, no quotes) and
//    a new snapshot is fetched; the stream goes on buffering meanwhile.
//  - Disconnect or dead link (nothing received for deadAfterMs): every symbol goes
//    stale at once, the connection is reopened after a jittered exponential
//    backoff, and every symbol resyncs from a new snapshot. The backoff restarts
//    once every symbol is live again.
//  - Rollover: at maxConnectionAgeMs (before Binance's 24-hour cut) a second
//    connection is opened; when it has received depth events for every symbol,
//    fresh snapshots are fetched and the symbols move over to it (snapshot + the
//    new connection's events), then the old connection is closed. The books stay
//    live throughout. If the new connection does not make it within
//    rolloverTimeoutMs it is dropped and the rollover tried again.
//  - Off the grid: a snapshot or event with a level off the symbol's grid is refused
//    (the symbol resyncs); offGrid counts them per symbol and the first one of a
//    symbol is an 'off-grid' event (the venue's grid may have changed while we run);
//    redefine() moves a symbol to the venue's new grid and resyncs it.
import { SpreadcoreError } from '../../errors.js';
import { monoNowNs } from '../../net/clock.js';
import type { FeedIngest } from '../ingest/feed-ingest.js';
import type { GridProblem } from '../replay/market-source.js';
import { BinanceIngestAdapter, type BinanceSymbolBinding } from './binance-ingest-adapter.js';
import type { BinanceInstrumentSpec } from './instruments.js';
import {
  combinedStreamUrl, depthSnapshotUrl, resolveConnectorConfig, streamNames,
  type BinanceConnectorOptions, type ResolvedConnectorConfig,
} from './connector-config.js';
import { SYNC_APPLIED, SYNC_GAP, type SequenceGap } from './depth-sync.js';
import type { DepthSnapshot, DepthUpdate } from './messages.js';
import { OffGridDepth } from './off-grid-depth.js';
import { parseBinanceMessage } from './parse-message.js';
import { backoffCeilingMs, backoffDelayMs } from './reconnect-backoff.js';
import { fetchDepthSnapshot } from './rest-depth-snapshot.js';
import { StreamConnection, type ConnectionEnd, type ConnectionEndCause, type StreamConnectionHandlers } from './stream-connection.js';

export type BinanceConnectorEvent =
  | { readonly type: 'connecting'; readonly connection: number; readonly url: string; readonly standby: boolean }
  | { readonly type: 'connected'; readonly connection: number; readonly reconnect: boolean; readonly standby: boolean }
  | { readonly type: 'disconnected'; readonly connection: number; readonly cause: ConnectionEndCause; readonly code: number; readonly reason: string; readonly openMs: number }
  | { readonly type: 'dead-connection'; readonly connection: number; readonly silentMs: number }
  | { readonly type: 'reconnect-scheduled'; readonly attempt: number; readonly delayMs: number }
  | { readonly type: 'snapshot-requested'; readonly symbol: string; readonly standby: boolean }
  | { readonly type: 'snapshot-failed'; readonly symbol: string; readonly error: SpreadcoreError; readonly retryInMs: number }
  | { readonly type: 'synced'; readonly symbol: string; readonly updateId: number; readonly resync: boolean }
  | { readonly type: 'gap'; readonly symbol: string; readonly gap: SequenceGap }
  | { readonly type: 'crossed-resync'; readonly symbol: string; readonly crossedMs: number; readonly bid: string; readonly ask: string }
  | { readonly type: 'rejected'; readonly symbol: string; readonly error: SpreadcoreError }
  /** The symbol's first snapshot or depth event refused for a level off its grid (once per symbol). */
  | { readonly type: 'off-grid'; readonly symbol: string; readonly problem: GridProblem }
  | { readonly type: 'parse-error'; readonly error: SpreadcoreError }
  | { readonly type: 'unknown-stream'; readonly stream: string }
  | { readonly type: 'rollover-started'; readonly connection: number; readonly ageMs: number }
  | { readonly type: 'rollover'; readonly from: number; readonly to: number }
  | { readonly type: 'rollover-failed'; readonly connection: number; readonly reason: string; readonly retryInMs: number }
  | { readonly type: 'stopped' };

export interface BinanceConnectorCounters {
  /** Connections opened (active and standby). */
  connects: number;
  /** Active connections lost (not counting ones we closed ourselves). */
  disconnects: number;
  /** Active connections opened after a lost one. */
  reconnects: number;
  deadConnections: number;
  /** Update-id gaps. */
  gaps: number;
  /** Snapshots applied after the first sync of a symbol (gap, reconnect, rollover). */
  resyncs: number;
  /** Live books that stayed crossed for config.crossedResync and were resynced from a new snapshot. */
  crossedResyncs: number;
  snapshotRequests: number;
  snapshotFailures: number;
  /** Text frames received (active and standby connections). */
  messages: number;
  /** Frames that are not JSON, not a Binance message, or carry a bad field/decimal. */
  parseErrors: number;
  /** Frames for a stream that was not subscribed, or without the combined-stream wrapper. */
  unknownStreams: number;
  /** Depth events that could not be applied (bad level): the symbol resyncs. */
  rejectedEvents: number;
  rollovers: number;
  rolloverFailures: number;
  /** Exceptions thrown by the onEvent / onApplied hooks (caught: they do not reach the feed). */
  listenerErrors: number;
}

export type ConnectorState = 'idle' | 'connecting' | 'open' | 'waiting' | 'stopped';

export interface BinanceConnectorHooks {
  onEvent?: (e: BinanceConnectorEvent) => void;
  /** After each applied depth event (the ingest's batch has ended). */
  onApplied?: (symbol: string, finalUpdateId: number) => void;
}

interface Standby {
  readonly conn: StreamConnection;
  readonly events: Map<string, DepthUpdate[]>;
  readonly snapshots: Map<string, DepthSnapshot>;
  readonly abort: AbortController;
  fetching: boolean;
  timeout: NodeJS.Timeout | null;
  firstEventTimer: NodeJS.Timeout | null;
}

export class BinanceConnector {
  readonly config: ResolvedConnectorConfig;
  readonly adapter: BinanceIngestAdapter;
  readonly ingest: FeedIngest;
  readonly counters: BinanceConnectorCounters = {
    connects: 0, disconnects: 0, reconnects: 0, deadConnections: 0, gaps: 0, resyncs: 0, crossedResyncs: 0, snapshotRequests: 0,
    snapshotFailures: 0, messages: 0, parseErrors: 0, unknownStreams: 0, rejectedEvents: 0, rollovers: 0, rolloverFailures: 0,
    listenerErrors: 0,
  };
  /** The last parse error, for reporting. */
  lastParseError: SpreadcoreError | null = null;
  /** Per symbol: snapshots and depth events refused for a level off the symbol's grid. */
  readonly offGrid: OffGridDepth;

  private readonly hooks: BinanceConnectorHooks;
  private readonly url: string;
  private readonly streams: Set<string>;
  private stateNow: ConnectorState = 'idle';
  private active: StreamConnection | null = null;
  /** Aborts the active connection's snapshot requests when it goes away. */
  private activeAbort = new AbortController();
  private standby: Standby | null = null;
  private attempt = 0;
  private hadConnection = false;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private rolloverTimer: NodeJS.Timeout | null = null;
  private firstEventTimer: NodeJS.Timeout | null = null;
  private rolloverAttempt = 0;
  private readonly inflight = new Set<string>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly retryAttempt = new Map<string, number>();
  private readonly everLive = new Set<string>();
  /** Symbols whose snapshot was applied and whose first bridging event is awaited. */
  private readonly pendingSynced = new Set<string>();
  private firstEventWaitOver = false;
  /** Per symbol: the timer started when its live book was first seen crossed. */
  private readonly crossedTimers = new Map<string, NodeJS.Timeout>();
  /** Per symbol: crossed resyncs in a row without the book being seen uncrossed in between. */
  private readonly crossedStreak = new Map<string, number>();

  constructor(ingest: FeedIngest, options: BinanceConnectorOptions, hooks: BinanceConnectorHooks = {}) {
    this.config = resolveConnectorConfig(options);
    this.ingest = ingest;
    this.hooks = hooks;
    this.adapter = new BinanceIngestAdapter(ingest, {
      market: this.config.market,
      symbols: options.symbols,
      firstSymbolId: options.firstSymbolId,
      ...(options.instruments !== undefined ? { instruments: options.instruments } : {}),
      tradeSource: this.config.trades === 'aggTrade' ? 'aggTrade' : 'trade',
      maxBuffered: this.config.maxBuffered,
      onApplied: (symbol, u) => {
        if (this.pendingSynced.delete(symbol)) this.markSynced(symbol, u);
        this.watchCrossed(symbol);
        const h = hooks.onApplied;
        if (h === undefined) return;
        try {
          h(symbol, u);
        } catch {
          this.counters.listenerErrors++; // the sync is mid-replay here: a throw must not unwind it
        }
      },
      onGap: (symbol, gap) => { this.counters.gaps++; this.emit({ type: 'gap', symbol, gap }); },
      onRejected: (symbol, error) => {
        this.counters.rejectedEvents++;
        this.emit({ type: 'rejected', symbol, error });
        const problem = this.offGrid.onRejected(symbol, error);
        if (problem !== null) this.emit({ type: 'off-grid', symbol, problem });
      },
    });
    this.offGrid = new OffGridDepth(this.adapter.symbols, (s) => this.adapter.feed(s)?.instrument, (s) => this.adapter.feed(s)?.sync.appliedEvents ?? 0);
    const symbols = this.adapter.symbols;
    this.url = combinedStreamUrl(this.config, symbols);
    this.streams = new Set(streamNames(this.config, symbols));
  }

  get state(): ConnectorState { return this.stateNow; }
  get symbols(): string[] { return this.adapter.symbols; }
  /** The combined-streams URL this connector opens. */
  get streamUrl(): string { return this.url; }
  /** Every symbol is in sequence (Binance sense) on the active connection. */
  get synced(): boolean { return this.active !== null && this.active.isOpen && this.adapter.allLive; }
  /** The active connection's id and age, for monitoring. */
  get activeConnection(): { id: number; ageMs: number } | null {
    return this.active === null ? null : { id: this.active.id, ageMs: this.active.ageMs };
  }

  private emit(e: BinanceConnectorEvent): void {
    const h = this.hooks.onEvent;
    if (h === undefined) return;
    try {
      h(e);
    } catch {
      this.counters.listenerErrors++; // a listener's failure must not break the feed
    }
  }

  /**
   * The venue changed the symbol's grid (tick or step size) while we run: the symbol is
   * redefined on the spec's grids (the ingest's listener rebinds what trades it), its
   * off-grid problem is cleared, and it resyncs from a new snapshot now rather than after
   * the retry backoff its refused snapshots built up.
   */
  redefine(symbol: string, spec: BinanceInstrumentSpec): void {
    this.adapter.redefine(symbol, spec);
    this.offGrid.clearProblem(symbol);
    this.pendingSynced.delete(symbol);
    const retry = this.retryTimers.get(symbol);
    if (retry !== undefined) { clearTimeout(retry); this.retryTimers.delete(symbol); }
    this.retryAttempt.delete(symbol);
    const crossed = this.crossedTimers.get(symbol);
    if (crossed !== undefined) { clearTimeout(crossed); this.crossedTimers.delete(symbol); }
    this.crossedStreak.delete(symbol);
    if (this.adapter.needsSnapshot(symbol)) this.requestSnapshot(symbol);
  }

  // ---- lifecycle ---------------------------------------------------------------------

  start(): void {
    if (this.stateNow !== 'idle') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `the connector can be started once (state ${this.stateNow})`);
    }
    this.connect();
  }

  /** Closes the connections, cancels requests and timers; every symbol goes stale. */
  async stop(): Promise<void> {
    if (this.stateNow === 'stopped') return;
    this.stateNow = 'stopped';
    for (const t of [this.reconnectTimer, this.rolloverTimer, this.firstEventTimer]) if (t !== null) clearTimeout(t);
    this.reconnectTimer = this.rolloverTimer = this.firstEventTimer = null;
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
    this.clearCrossedTimers();
    this.activeAbort.abort();
    const closing: Promise<void>[] = [];
    const sb = this.standby;
    if (sb !== null) { this.dropStandby(); closing.push(sb.conn.whenClosed()); }
    const a = this.active;
    this.active = null;
    if (a !== null) { a.close('stopped', 1000, 'stopped'); closing.push(a.whenClosed()); }
    this.adapter.restartAll();
    await Promise.all(closing);
    this.emit({ type: 'stopped' });
  }

  private connect(): void {
    if (this.stateNow === 'stopped') return;
    this.stateNow = 'connecting';
    this.firstEventWaitOver = false;
    this.activeAbort = new AbortController();
    const conn = new StreamConnection(this.url, this.config, this.handlers);
    this.active = conn;
    this.emit({ type: 'connecting', connection: conn.id, url: this.url, standby: false });
    conn.open();
  }

  /**
   * One set of handlers for every connection, dispatching on its current role:
   * a standby connection becomes the active one at a rollover, and a retired one
   * is ignored.
   */
  private readonly handlers: StreamConnectionHandlers = {
    onOpen: (c) => {
      if (c === this.active) this.onActiveOpen(c);
      else if (c === this.standby?.conn) this.onStandbyOpen(this.standby);
    },
    onMessage: (c, text) => {
      if (c === this.active) this.onActiveMessage(text);
      else if (c === this.standby?.conn) this.onStandbyMessage(this.standby, text);
    },
    onBinary: (c) => {
      if (c === this.active || c === this.standby?.conn) {
        this.counters.messages++;
        this.parseError(new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'Binance message: a binary frame (expected JSON text)'));
      }
    },
    onEnd: (c, end) => {
      if (c === this.active) this.onActiveEnd(c, end);
      else if (c === this.standby?.conn) {
        this.rolloverFailed(this.standby, `the new connection ended (${end.cause}${end.reason !== '' ? `: ${end.reason}` : ''})`);
      }
    },
  };

  private onActiveOpen(c: StreamConnection): void {
    if (this.stateNow === 'stopped') return;
    this.stateNow = 'open';
    this.counters.connects++;
    const reconnect = this.hadConnection;
    if (reconnect) this.counters.reconnects++;
    this.hadConnection = true;
    this.emit({ type: 'connected', connection: c.id, reconnect, standby: false });
    this.firstEventTimer = setTimeout(() => {
      this.firstEventTimer = null;
      this.firstEventWaitOver = true;
      this.requestSnapshots();
    }, this.config.firstEventWaitMs);
    this.scheduleRollover(this.config.maxConnectionAgeMs);
  }

  private onActiveEnd(c: StreamConnection, end: ConnectionEnd): void {
    this.active = null;
    if (this.stateNow === 'stopped') return;
    if (this.firstEventTimer !== null) { clearTimeout(this.firstEventTimer); this.firstEventTimer = null; }
    if (this.rolloverTimer !== null) { clearTimeout(this.rolloverTimer); this.rolloverTimer = null; }
    this.activeAbort.abort();
    this.cancelSnapshotRetries();
    this.clearCrossedTimers();
    if (end.cause === 'dead') {
      this.counters.deadConnections++;
      this.emit({ type: 'dead-connection', connection: c.id, silentMs: end.silentMs });
    }
    if (end.openMs > 0) this.counters.disconnects++;
    this.emit({ type: 'disconnected', connection: c.id, cause: end.cause, code: end.code, reason: end.reason, openMs: end.openMs });
    // a rollover in progress is abandoned: the next connection resyncs every symbol anyway
    this.dropStandby();
    // every book is behind the stream from here on: pull quotes until the resync
    this.adapter.restartAll();
    const delayMs = backoffDelayMs(this.attempt, this.config.reconnect, this.config.random);
    this.attempt++;
    this.stateNow = 'waiting';
    this.emit({ type: 'reconnect-scheduled', attempt: this.attempt, delayMs });
    this.reconnectTimer = setTimeout(() => { this.reconnectTimer = null; this.connect(); }, delayMs);
  }

  // ---- messages on the active connection --------------------------------------------------

  private parseError(err: SpreadcoreError): void {
    this.counters.parseErrors++;
    this.lastParseError = err;
    this.emit({ type: 'parse-error', error: err });
  }

  /** JSON text → the message of a subscribed stream, or null (counted). */
  private decode(text: string): ReturnType<typeof parseBinanceMessage> | null {
    this.counters.messages++;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      this.parseError(new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `Binance message: bad JSON (${(e as Error).message}): ${text.slice(0, 80)}`));
      return null;
    }
    const o = value as Record<string, unknown> | null;
    const stream = typeof o === 'object' && o !== null && !Array.isArray(o) ? o['stream'] : undefined;
    if (typeof stream !== 'string' || !this.streams.has(stream)) {
      this.counters.unknownStreams++;
      this.emit({ type: 'unknown-stream', stream: typeof stream === 'string' ? stream : text.slice(0, 80) });
      return null;
    }
    try {
      return parseBinanceMessage(value);
    } catch (e) {
      if (!(e instanceof SpreadcoreError)) throw e;
      this.parseError(new SpreadcoreError(e.code, `stream ${stream}: ${e.message}`));
      return null;
    }
  }

  private onActiveMessage(text: string): void {
    this.ingest.setClock(monoNowNs());
    const msg = this.decode(text);
    if (msg === null) return;
    if (msg.kind === 'snapshot') {
      this.parseError(new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'a depth snapshot arrived on a stream'));
      return;
    }
    this.adapter.onMessage(msg);
    if (msg.kind !== 'depth') return;
    if (this.adapter.needsSnapshot(msg.symbol)) this.requestSnapshot(msg.symbol);
  }

  // ---- a book that stays crossed ----------------------------------------------------------

  /** After each applied depth event: a live crossed book starts the wait for a resync; a live uncrossed one ends it. */
  private watchCrossed(symbol: string): void {
    const f = this.adapter.feed(symbol);
    const st = f === undefined ? undefined : this.ingest.symbolState(f.symbolId);
    if (st === undefined || st.state !== 'live') return;
    const timer = this.crossedTimers.get(symbol);
    if (!st.crossed) {
      if (timer !== undefined) { clearTimeout(timer); this.crossedTimers.delete(symbol); }
      this.crossedStreak.delete(symbol);
      return;
    }
    if (timer !== undefined) return;
    const waitMs = backoffCeilingMs(this.crossedStreak.get(symbol) ?? 0, this.config.crossedResync);
    this.crossedTimers.set(symbol, setTimeout(() => {
      this.crossedTimers.delete(symbol);
      this.resyncCrossed(symbol, waitMs);
    }, waitMs));
  }

  /** The book stayed crossed for waitMs: it is out of step with Binance, so it resyncs from a new snapshot. */
  private resyncCrossed(symbol: string, waitMs: number): void {
    if (this.stateNow !== 'open') return;
    const f = this.adapter.feed(symbol);
    const st = f === undefined ? undefined : this.ingest.symbolState(f.symbolId);
    if (f === undefined || st === undefined || st.state !== 'live' || !st.crossed) return;
    const books = this.ingest.books;
    const packed = books.topN(st.book, 1);
    const price = f.instrument.price;
    const bid = packed > 0 && (packed & 0xffff) > 0 ? price.format(books.depthBidTick(0)) : '?';
    const ask = packed > 0 && (packed >>> 16) > 0 ? price.format(books.depthAskTick(0)) : '?';
    this.counters.crossedResyncs++;
    this.crossedStreak.set(symbol, (this.crossedStreak.get(symbol) ?? 0) + 1);
    this.emit({ type: 'crossed-resync', symbol, crossedMs: waitMs, bid, ask });
    this.adapter.restart(symbol);
    this.requestSnapshot(symbol);
  }

  private clearCrossedTimers(): void {
    for (const t of this.crossedTimers.values()) clearTimeout(t);
    this.crossedTimers.clear();
  }

  /** The first event after a snapshot was applied: the symbol is in sequence again. */
  private markSynced(symbol: string, updateId: number): void {
    this.retryAttempt.delete(symbol);
    const resync = this.everLive.has(symbol);
    this.everLive.add(symbol);
    if (resync) this.counters.resyncs++;
    this.emit({ type: 'synced', symbol, updateId, resync });
    if (this.adapter.allLive) this.attempt = 0; // healthy again: the next failure starts the backoff over
  }

  // ---- snapshots --------------------------------------------------------------------------

  private requestSnapshots(): void {
    for (const s of this.adapter.symbols) if (this.adapter.needsSnapshot(s)) this.requestSnapshot(s);
  }

  private requestSnapshot(symbol: string): void {
    if (this.stateNow !== 'open' || this.inflight.has(symbol) || this.retryTimers.has(symbol)) return;
    const sync = this.adapter.sync(symbol)!;
    // Binance: buffer, note the first event, then fetch (a quiet symbol is fetched after firstEventWaitMs)
    if (sync.bufferedCount === 0 && !this.firstEventWaitOver) return;
    this.inflight.add(symbol);
    this.counters.snapshotRequests++;
    this.emit({ type: 'snapshot-requested', symbol, standby: false });
    const abort = this.activeAbort;
    void fetchDepthSnapshot(depthSnapshotUrl(this.config, symbol), this.config.restTimeoutMs, abort.signal).then((res) => {
      // the connection it was for is gone (its in-flight marks were cleared with it)
      if (abort.signal.aborted || this.stateNow !== 'open') return;
      this.inflight.delete(symbol);
      if (!res.ok) { this.snapshotFailed(symbol, res.error, res.retryAfterMs); return; }
      this.applySnapshot(symbol, res.snapshot);
    });
  }

  private applySnapshot(symbol: string, snap: DepthSnapshot): void {
    const sync = this.adapter.sync(symbol)!;
    // the replay inside onSnapshot may apply the bridging event: 'synced' comes from onApplied
    this.pendingSynced.add(symbol);
    const r = this.adapter.onSnapshot(symbol, snap);
    if (r === SYNC_APPLIED) return;
    this.pendingSynced.delete(symbol);
    if (r === SYNC_GAP) {
      // the snapshot is older than the buffered events: fetch a newer one
      this.snapshotFailed(symbol, sync.lastError ?? new SpreadcoreError('SPREADCORE_ERR_SEQUENCE_GAP', 'snapshot does not bridge the buffer'), 0);
      return;
    }
    this.snapshotFailed(symbol, sync.lastError ?? new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'snapshot rejected'), 0);
  }

  private snapshotFailed(symbol: string, error: SpreadcoreError, retryAfterMs: number): void {
    this.counters.snapshotFailures++;
    const n = this.retryAttempt.get(symbol) ?? 0;
    this.retryAttempt.set(symbol, n + 1);
    const retryInMs = Math.max(retryAfterMs, backoffDelayMs(n, this.config.snapshotRetry, this.config.random));
    this.emit({ type: 'snapshot-failed', symbol, error, retryInMs });
    this.retryTimers.set(symbol, setTimeout(() => {
      this.retryTimers.delete(symbol);
      if (this.adapter.needsSnapshot(symbol)) this.requestSnapshot(symbol);
    }, retryInMs));
  }

  private cancelSnapshotRetries(): void {
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.retryTimers.clear();
    this.inflight.clear();
    this.pendingSynced.clear();
  }

  // ---- rollover ----------------------------------------------------------------------------

  private scheduleRollover(inMs: number): void {
    if (this.rolloverTimer !== null) clearTimeout(this.rolloverTimer);
    const a = this.active;
    const delay = Math.max(0, inMs);
    this.rolloverTimer = setTimeout(() => {
      this.rolloverTimer = null;
      if (a === this.active && a !== null && a.isOpen) this.startRollover(a);
    }, delay);
  }

  private startRollover(old: StreamConnection): void {
    if (this.standby !== null || this.stateNow !== 'open') return;
    this.emit({ type: 'rollover-started', connection: old.id, ageMs: old.ageMs });
    const events = new Map<string, DepthUpdate[]>();
    for (const s of this.adapter.symbols) events.set(s, []);
    const conn = new StreamConnection(this.url, this.config, this.handlers);
    const sb: Standby = {
      conn, events, snapshots: new Map(), abort: new AbortController(), fetching: false, timeout: null, firstEventTimer: null,
    };
    sb.timeout = setTimeout(() => { if (this.standby === sb) this.rolloverFailed(sb, `no takeover within ${this.config.rolloverTimeoutMs} ms`); },
      this.config.rolloverTimeoutMs);
    this.standby = sb;
    this.emit({ type: 'connecting', connection: conn.id, url: this.url, standby: true });
    conn.open();
  }

  private onStandbyOpen(sb: Standby): void {
    this.counters.connects++;
    this.emit({ type: 'connected', connection: sb.conn.id, reconnect: false, standby: true });
    sb.firstEventTimer = setTimeout(() => { sb.firstEventTimer = null; this.fetchStandbySnapshots(sb); }, this.config.firstEventWaitMs);
  }

  private onStandbyMessage(sb: Standby, text: string): void {
    const msg = this.decode(text);
    if (msg === null || msg.kind !== 'depth') return; // trades and tickers still come from the active connection
    const list = sb.events.get(msg.symbol);
    if (list === undefined) return;
    if (list.length >= this.config.maxBuffered) list.shift();
    list.push(msg);
    if (!sb.fetching) {
      for (const l of sb.events.values()) if (l.length === 0) return;
      this.fetchStandbySnapshots(sb);
    }
  }

  private fetchStandbySnapshots(sb: Standby): void {
    if (sb.fetching || this.standby !== sb) return;
    sb.fetching = true;
    if (sb.firstEventTimer !== null) { clearTimeout(sb.firstEventTimer); sb.firstEventTimer = null; }
    const symbols = this.adapter.symbols;
    let left = symbols.length;
    for (const symbol of symbols) {
      this.counters.snapshotRequests++;
      this.emit({ type: 'snapshot-requested', symbol, standby: true });
      void fetchDepthSnapshot(depthSnapshotUrl(this.config, symbol), this.config.restTimeoutMs, sb.abort.signal).then((res) => {
        if (this.standby !== sb) return;
        if (!res.ok) {
          this.counters.snapshotFailures++;
          this.rolloverFailed(sb, res.error.message, res.retryAfterMs);
          return;
        }
        sb.snapshots.set(symbol, res.snapshot);
        if (--left === 0) this.takeOver(sb);
      });
    }
  }

  /** The standby connection becomes the active one; the old one is closed. */
  private takeOver(sb: Standby): void {
    const old = this.active;
    if (old === null || this.stateNow !== 'open') { this.rolloverFailed(sb, 'the active connection is gone'); return; }
    this.clearStandbyTimers(sb);
    this.standby = null;
    // the old connection's requests and retries belong to it
    this.activeAbort.abort();
    this.cancelSnapshotRetries();
    this.activeAbort = sb.abort;
    this.active = sb.conn;
    this.rolloverAttempt = 0;
    this.counters.rollovers++;
    old.close('retired', 1000, 'replaced by a newer connection');
    this.emit({ type: 'rollover', from: old.id, to: sb.conn.id });
    for (const symbol of this.adapter.symbols) {
      this.pendingSynced.add(symbol);
      const r = this.adapter.onSnapshotWith(symbol, sb.snapshots.get(symbol)!, sb.events.get(symbol) ?? []);
      if (r !== SYNC_APPLIED) {
        this.pendingSynced.delete(symbol);
        if (this.adapter.needsSnapshot(symbol)) this.requestSnapshot(symbol);
      }
    }
    this.scheduleRollover(this.config.maxConnectionAgeMs - sb.conn.ageMs);
  }

  private clearStandbyTimers(sb: Standby): void {
    if (sb.timeout !== null) { clearTimeout(sb.timeout); sb.timeout = null; }
    if (sb.firstEventTimer !== null) { clearTimeout(sb.firstEventTimer); sb.firstEventTimer = null; }
  }

  private dropStandby(): void {
    const sb = this.standby;
    if (sb === null) return;
    this.standby = null;
    this.clearStandbyTimers(sb);
    sb.abort.abort();
    sb.conn.close('retired', 1000, 'rollover abandoned');
  }

  private rolloverFailed(sb: Standby, reason: string, retryAfterMs = 0): void {
    if (this.standby !== sb) return;
    this.dropStandby();
    this.counters.rolloverFailures++;
    const retryInMs = Math.max(retryAfterMs, backoffDelayMs(this.rolloverAttempt++, this.config.reconnect, this.config.random));
    this.emit({ type: 'rollover-failed', connection: sb.conn.id, reason, retryInMs });
    if (this.stateNow === 'open') this.scheduleRollover(retryInMs);
  }
}

export type { BinanceConnectorOptions, BinanceSymbolBinding };
