// Binance's local order book algorithm as a state machine, independent of where
// the book lives. A DepthSyncTarget receives the levels: a WASM book slot
// (LocalBookSync) or the common ingest path (BinanceIngestAdapter).
//
//   awaiting-snapshot --snapshot--> syncing --first bridging event--> live
//         ^                            |                               |
//         |                        gap / bad event              gap / bad event
//         |                            v                               v
//         +------ (new snapshot) --- stale <---------------------------+
//
// Depth events are buffered until a snapshot is applied; the buffer is then
// replayed through the same rules as live events.
//  - spot: drop u <= lastUpdateId; the first applied event needs
//    U <= lastUpdateId + 1 <= u; afterwards each U == previous u + 1.
//  - USD-M futures: drop u < lastUpdateId; the first applied event needs
//    U <= lastUpdateId <= u (or pu <= lastUpdateId <= u: the snapshot fell between
//    two events of this stream); afterwards each pu == previous u. In the live
//    state, events with u <= the book's id are dropped on both venues.
// A break is a gap: the target is invalidated, the state goes stale with the
// expected and received ids in lastGap, and events are buffered again until a
// new snapshot. Each event's levels are converted (DecimalGrid.toUnitsOrNaN) into
// a scratch array first, so an off-grid or malformed level rejects the whole
// event before anything reaches the target.
import { SpreadcoreError } from '../../errors.js';
import type { Instrument } from '../../orderbook/instrument.js';
import type { DecimalGrid } from '../../numeric/decimal-grid.js';
import type { BinanceMarket, DecimalPair, DepthSnapshot, DepthUpdate } from './messages.js';

/** Outcomes of onDepth / onSnapshot (plain numbers: nothing allocated per event). */
export const SYNC_APPLIED = 0; // applied (onSnapshot: snapshot applied, buffer replayed without a break)
export const SYNC_BUFFERED = 1; // held until a snapshot arrives
export const SYNC_DROPPED = 2; // older than the book: ignored
export const SYNC_GAP = 3; // sequence break: book invalidated, state stale, see lastGap
export const SYNC_REJECTED = 4; // bad level or refused by the book: see lastError
export const SYNC_WRONG_SYMBOL = 5; // event for another symbol: nothing changed
export type SyncOutcome = 0 | 1 | 2 | 3 | 4 | 5;

export const SYNC_OUTCOME_NAMES = ['applied', 'buffered', 'dropped', 'gap', 'rejected', 'wrong-symbol'] as const;

export type SyncState = 'awaiting-snapshot' | 'syncing' | 'live' | 'stale';

export interface SequenceGap {
  /** 'first-event': no buffered event bridges the snapshot; 'continuity': an event is missing. */
  readonly rule: 'first-event' | 'continuity';
  /** Field compared: U (spot, futures first event) or pu (futures continuity). */
  readonly field: 'U' | 'pu';
  /** The id the field had to equal (continuity) or not exceed (first-event). */
  readonly expected: number;
  readonly received: number;
  /** The book's update id when the gap was seen (snapshot lastUpdateId or previous u). */
  readonly bookUpdateId: number;
  /** U, u and pu (-1 on spot) of the event that revealed the gap. */
  readonly firstUpdateId: number;
  readonly finalUpdateId: number;
  readonly prevFinalUpdateId: number;
  readonly message: string;
}

/**
 * Where a DepthSync puts its levels. Levels arrive as (tick, lots) pairs in a
 * scratch array: pairs[2i] = tick, pairs[2i+1] = lots; bids are pairs [0, nBids),
 * asks [nBids, n). The array is reused: copy what must outlive the call.
 */
export interface DepthSyncTarget {
  /** Replaces the whole book with a snapshot's levels. Returns how many levels were refused. */
  replaceBook(pairs: Float64Array, nBids: number, n: number, snap: DepthSnapshot): number;
  /** Applies one in-sequence depth event (absolute quantities, 0 removes). Returns how many levels were refused. */
  applyEvent(pairs: Float64Array, nBids: number, n: number, ev: DepthUpdate): number;
  /** The book is out of sequence: it must not be shown or quoted from until the next snapshot. */
  invalidate(): void;
  /** Back to the start: an empty book that is not yet synced. */
  reset(): void;
  /** Why the last refusal happened, for the error message. */
  refusalReason(): string;
}

export interface DepthSyncOptions {
  /** Depth events held while waiting for a snapshot; the oldest are dropped beyond it. Default 10,000. */
  maxBuffered?: number;
  /** Called after each applied depth event with its final update id (u). */
  onApplied?: (finalUpdateId: number) => void;
  /**
   * Converted levels kept across syncs that see the same message objects again (a
   * backtest replaying a parsed recording run after run): per price|quantity grid, the
   * (tick, lots) pairs of each depth event or snapshot, bids then asks, or null when one
   * of its levels is off the grid. The target gets the kept pairs (it must not change them).
   */
  levelCache?: LevelCache;
}

/** Per "priceStep|qtyStep": depth event or snapshot → its (tick, lots) pairs, bids then asks (null: a level is off the grid). */
export type LevelCache = Map<string, WeakMap<DepthUpdate | DepthSnapshot, Float64Array | null>>;

export class DepthSync {
  readonly target: DepthSyncTarget;
  readonly instrument: Instrument;
  readonly market: BinanceMarket;
  readonly symbol: string;

  private stateNow: SyncState = 'awaiting-snapshot';
  /** The book's update id: the snapshot's lastUpdateId, then each applied event's u; -1 before any snapshot. */
  updateId = -1;
  lastGap: SequenceGap | null = null;
  lastError: SpreadcoreError | null = null;

  appliedEvents = 0;
  appliedLevels = 0;
  droppedEvents = 0;
  gaps = 0;
  rejectedEvents = 0;
  snapshots = 0;
  /** Buffered events discarded because the buffer was full. */
  bufferOverflows = 0;

  private buffer: DepthUpdate[] = [];
  private readonly maxBuffered: number;
  private readonly onApplied: ((u: number) => void) | undefined;
  private readonly price: DecimalGrid;
  private readonly qty: DecimalGrid;
  private readonly futures: boolean;
  /** (tick, lots) pairs of the event being applied. Grows, never shrinks. */
  private scratch = new Float64Array(4096);
  /** This grid's converted level arrays (DepthSyncOptions.levelCache), or undefined. */
  private readonly converted: WeakMap<DepthUpdate | DepthSnapshot, Float64Array | null> | undefined;

  constructor(target: DepthSyncTarget, instrument: Instrument, market: BinanceMarket, options: DepthSyncOptions = {}) {
    if (market !== 'spot' && market !== 'usdm') {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `market must be "spot" or "usdm", got ${JSON.stringify(market)}`);
    }
    const maxBuffered = options.maxBuffered ?? 10_000;
    if (!Number.isInteger(maxBuffered) || maxBuffered < 1) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `maxBuffered must be a positive integer, got ${maxBuffered}`);
    }
    this.target = target;
    this.instrument = instrument;
    this.market = market;
    this.symbol = instrument.symbol;
    this.maxBuffered = maxBuffered;
    this.onApplied = options.onApplied;
    this.price = instrument.price;
    this.qty = instrument.qty;
    this.futures = market === 'usdm';
    const cache = options.levelCache;
    if (cache !== undefined) {
      const key = `${instrument.price.step}|${instrument.qty.step}`;
      let byLevels = cache.get(key);
      if (byLevels === undefined) { byLevels = new WeakMap(); cache.set(key, byLevels); }
      this.converted = byLevels;
    }
  }

  get state(): SyncState { return this.stateNow; }
  /** True only when the book is confirmed in sequence: safe to quote from. */
  get quotable(): boolean { return this.stateNow === 'live'; }
  /** True when a (new) REST snapshot is needed to go on. */
  get needsSnapshot(): boolean { return this.stateNow === 'awaiting-snapshot' || this.stateNow === 'stale'; }
  get bufferedCount(): number { return this.buffer.length; }
  /** U of the oldest buffered event, -1 when the buffer is empty. */
  get firstBufferedUpdateId(): number { return this.buffer.length > 0 ? this.buffer[0]!.firstUpdateId : -1; }

  /** Back to the start: empty book, empty buffer, waiting for a snapshot. Counters are kept. */
  reset(): void {
    this.target.reset();
    this.buffer = [];
    this.stateNow = 'awaiting-snapshot';
    this.updateId = -1;
  }

  // ---- depth events ------------------------------------------------------------

  onDepth(ev: DepthUpdate): SyncOutcome {
    if (ev.symbol !== this.symbol) {
      this.lastError = new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
        `depth event for ${ev.symbol} (u=${ev.finalUpdateId}) sent to the ${this.symbol} ${this.market} book`);
      return SYNC_WRONG_SYMBOL;
    }
    if (this.futures && ev.prevFinalUpdateId < 0) {
      return this.reject(new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT',
        `${this.symbol} usdm depth event u=${ev.finalUpdateId} has no "pu" (previous final update id)`), false);
    }
    const s = this.stateNow;
    if (s === 'awaiting-snapshot' || s === 'stale') {
      this.hold(ev);
      return SYNC_BUFFERED;
    }
    const r = this.step(ev);
    if (r === SYNC_GAP) this.hold(ev);
    return r;
  }

  private hold(ev: DepthUpdate): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.buffer.shift();
      this.bufferOverflows++;
    }
    this.buffer.push(ev);
  }

  /** The sequencing rules for the syncing and live states. */
  private step(ev: DepthUpdate): SyncOutcome {
    const id = this.updateId;
    const U = ev.firstUpdateId;
    const u = ev.finalUpdateId;
    if (this.stateNow === 'syncing') {
      if (this.futures) {
        if (u < id) { this.droppedEvents++; return SYNC_DROPPED; }
        if (U > id && ev.prevFinalUpdateId > id) return this.gap(ev, 'first-event', 'U', id, U);
      } else {
        if (u <= id) { this.droppedEvents++; return SYNC_DROPPED; }
        if (U > id + 1) return this.gap(ev, 'first-event', 'U', id + 1, U);
      }
    } else {
      if (u <= id) { this.droppedEvents++; return SYNC_DROPPED; }
      if (this.futures) {
        if (ev.prevFinalUpdateId !== id) return this.gap(ev, 'continuity', 'pu', id, ev.prevFinalUpdateId);
      } else if (U !== id + 1) {
        return this.gap(ev, 'continuity', 'U', id + 1, U);
      }
    }
    return this.apply(ev);
  }

  private apply(ev: DepthUpdate): SyncOutcome {
    const nb = ev.bids.length;
    const n = nb + ev.asks.length;
    const pairs = this.pairsOf(ev);
    if (pairs === null) {
      return this.reject(this.levelError(ev, `depth event u=${ev.finalUpdateId}`), true);
    }
    const refused = this.target.applyEvent(pairs, nb, n, ev);
    if (refused !== 0) return this.refused(refused, `depth event u=${ev.finalUpdateId}`);
    this.updateId = ev.finalUpdateId;
    this.stateNow = 'live';
    this.appliedEvents++;
    this.appliedLevels += n;
    if (this.onApplied !== undefined) this.onApplied(ev.finalUpdateId);
    return SYNC_APPLIED;
  }

  /** The message's levels as (tick, lots) pairs, bids then asks (kept ones, or the scratch array); null on a bad level. */
  private pairsOf(msg: DepthUpdate | DepthSnapshot): Float64Array | null {
    const cache = this.converted;
    if (cache !== undefined) {
      let pairs = cache.get(msg);
      if (pairs === undefined) {
        const own = new Float64Array(2 * (msg.bids.length + msg.asks.length));
        pairs = this.convertInto(own, msg.bids, 0) && this.convertInto(own, msg.asks, msg.bids.length) ? own : null;
        cache.set(msg, pairs);
      }
      return pairs;
    }
    const n = msg.bids.length + msg.asks.length;
    if (this.scratch.length < 2 * n) this.scratch = new Float64Array(2 * n);
    return this.convertInto(this.scratch, msg.bids, 0) && this.convertInto(this.scratch, msg.asks, msg.bids.length) ? this.scratch : null;
  }

  /** Levels → pairs of `s` starting at pair index `at`; false on the first bad level. */
  private convertInto(s: Float64Array, levels: readonly DecimalPair[], at: number): boolean {
    const price = this.price;
    const qty = this.qty;
    for (let i = 0, k = 2 * at; i < levels.length; i++, k += 2) {
      const l = levels[i]!;
      const t = price.toUnitsOrNaN(l[0]);
      const q = qty.toUnitsOrNaN(l[1]);
      // NaN fails both comparisons
      if (!(t >= 0) || !(q >= 0)) return false;
      s[k] = t;
      s[k + 1] = q;
    }
    return true;
  }

  // ---- snapshots -------------------------------------------------------------------

  /**
   * Replaces the book with a REST snapshot and replays the buffered events.
   * SYNC_APPLIED: state is syncing (no bridging event yet) or live.
   * SYNC_GAP: the buffered events do not bridge the snapshot (state stale; a newer
   * snapshot is needed). SYNC_REJECTED: a bad level; the book and state are unchanged.
   */
  onSnapshot(snap: DepthSnapshot): SyncOutcome {
    const nb = snap.bids.length;
    const n = nb + snap.asks.length;
    const pairs = this.pairsOf(snap);
    if (pairs === null) {
      this.rejectedEvents++;
      this.lastError = this.levelError(snap, `snapshot lastUpdateId=${snap.lastUpdateId}`);
      return SYNC_REJECTED;
    }
    const refused = this.target.replaceBook(pairs, nb, n, snap);
    if (refused !== 0) return this.refused(refused, `snapshot lastUpdateId=${snap.lastUpdateId}`);
    this.snapshots++;
    this.updateId = snap.lastUpdateId;
    this.stateNow = 'syncing';
    const held = this.buffer;
    this.buffer = [];
    for (let i = 0; i < held.length; i++) {
      const r = this.step(held[i]!);
      if (r === SYNC_GAP) { this.buffer = held.slice(i); return SYNC_GAP; }
      if (r === SYNC_REJECTED) { this.buffer = held.slice(i + 1); return SYNC_REJECTED; }
    }
    return SYNC_APPLIED;
  }

  /**
   * Resynchronises from a snapshot with the depth events of another connection:
   * the buffer is replaced by `events` (the newest maxBuffered of them), then the
   * snapshot is applied as by onSnapshot. Used to move a live book to a new
   * connection: the book keeps its content until the snapshot is applied.
   */
  onSnapshotWith(snap: DepthSnapshot, events: readonly DepthUpdate[]): SyncOutcome {
    const from = Math.max(0, events.length - this.maxBuffered);
    const kept: DepthUpdate[] = [];
    for (let i = from; i < events.length; i++) {
      const ev = events[i]!;
      if (ev.symbol === this.symbol) kept.push(ev);
    }
    this.buffer = kept;
    return this.onSnapshot(snap);
  }

  // ---- failures (off the hot path: allocation is fine here) --------------------------

  private gap(ev: DepthUpdate, rule: SequenceGap['rule'], field: SequenceGap['field'], expected: number, received: number): SyncOutcome {
    const id = this.updateId;
    const where = `${this.symbol} ${this.market}`;
    let message: string;
    if (rule === 'continuity') {
      message = `${where}: sequence gap after u=${id}: expected ${field}=${expected}, received ${field}=${received} (event U=${ev.firstUpdateId} u=${ev.finalUpdateId})`;
    } else if (this.futures) {
      message = `${where}: no event bridges snapshot lastUpdateId=${id}: expected U <= ${expected} (or pu <= ${expected}) <= u, received U=${received} pu=${ev.prevFinalUpdateId} u=${ev.finalUpdateId}`;
    } else {
      message = `${where}: no event bridges snapshot lastUpdateId=${id}: expected U <= ${expected} <= u, received U=${received} u=${ev.finalUpdateId}`;
    }
    this.lastGap = {
      rule, field, expected, received, bookUpdateId: id,
      firstUpdateId: ev.firstUpdateId, finalUpdateId: ev.finalUpdateId, prevFinalUpdateId: ev.prevFinalUpdateId, message,
    };
    this.lastError = new SpreadcoreError('SPREADCORE_ERR_SEQUENCE_GAP', message);
    this.gaps++;
    this.goStale();
    return SYNC_GAP;
  }

  private reject(err: SpreadcoreError, outOfSync: boolean): SyncOutcome {
    this.lastError = err;
    this.rejectedEvents++;
    // a depth event that cannot be applied leaves the book behind the stream
    if (outOfSync || this.stateNow === 'live' || this.stateNow === 'syncing') this.goStale();
    return SYNC_REJECTED;
  }

  private refused(count: number, what: string): SyncOutcome {
    this.lastError = new SpreadcoreError('SPREADCORE_ERR_BOOK_OP',
      `${this.symbol} ${this.market} ${what}: the book refused ${count} level(s): ${this.target.refusalReason()}`);
    this.rejectedEvents++;
    this.goStale();
    return SYNC_REJECTED;
  }

  private goStale(): void {
    this.target.invalidate();
    this.stateNow = 'stale';
  }

  /** The coded error for the first bad level of an event or snapshot. */
  private levelError(msg: { bids: readonly DecimalPair[]; asks: readonly DecimalPair[] }, what: string): SpreadcoreError {
    const sides: [string, readonly DecimalPair[]][] = [['bid', msg.bids], ['ask', msg.asks]];
    for (const [side, levels] of sides) {
      for (let i = 0; i < levels.length; i++) {
        const [p, q] = levels[i]!;
        const prefix = `${this.symbol} ${this.market} ${what}: ${side} level ${i}`;
        try {
          const t = this.price.toUnits(p, `${prefix} price`);
          const lots = this.qty.toUnits(q, `${prefix} quantity`);
          if (t < 0 || lots < 0) {
            return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${prefix}: negative price or quantity [${p}, ${q}]`);
          }
        } catch (e) {
          if (e instanceof SpreadcoreError) return e;
          throw e;
        }
      }
    }
    return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${this.symbol} ${this.market} ${what}: a level could not be converted`);
  }
}
