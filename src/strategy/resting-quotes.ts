// The orders a leg has resting on each side, one per ladder level: client order id,
// price (ticks), size as placed and still open (lots), placement time, state. The
// order diff compares these with the ladder the quoter just computed. An order
// whose cancel was sent leaves its level at once (the level can be quoted again);
// its fills still count through the engine's order table.
import { MAX_QUOTE_LEVELS } from '../wasm/layout.js';

export const QS_EMPTY = 0;
/** Sent; not yet acknowledged by the venue. */
export const QS_PENDING_NEW = 1;
/** Acknowledged: resting at the venue. */
export const QS_LIVE = 2;

export class RestingSide {
  readonly ids: (string | null)[] = new Array<string | null>(MAX_QUOTE_LEVELS).fill(null);
  readonly tick = new Float64Array(MAX_QUOTE_LEVELS);
  /** Size as placed, lots. */
  readonly qty = new Float64Array(MAX_QUOTE_LEVELS);
  /** Still open, lots. */
  readonly open = new Float64Array(MAX_QUOTE_LEVELS);
  readonly placedNs = new Float64Array(MAX_QUOTE_LEVELS);
  readonly state = new Uint8Array(MAX_QUOTE_LEVELS);
  /** Levels in use. */
  count = 0;

  clear(level: number): void {
    if (this.state[level] === QS_EMPTY) return;
    this.state[level] = QS_EMPTY;
    this.ids[level] = null;
    this.open[level] = 0;
    this.count--;
  }
}

export class RestingQuotes {
  readonly bids = new RestingSide();
  readonly asks = new RestingSide();
  /** Exchange time of the last full requote pass (ns); -Infinity before the first. */
  lastRefreshNs = -Infinity;
  /** Fair value (ticks) at the last full requote pass. */
  refFairTick = NaN;
  /** A fill, a parameter change or a request asks for a full requote at the next decision. */
  requoteDue = true;
  /** cancel_on_fill: this side (0 bid, 1 ask; -1 none) stays empty until holdUntilNs. */
  holdSide = -1;
  holdUntilNs = -Infinity;
  /** The side (0 bid, 1 ask) the order diff serves first within a level: the one that did not get the last new order. */
  firstSide = 0;
  /** Placement budget (order-diff.ts): orders that may be sent now, and when it was last topped up (ns). */
  budget = NaN;
  budgetNs = -Infinity;
  /**
   * The last quote was refused for the strategy's order rate: until its bucket holds a token
   * again (asked of the gate each decision), the diff places nothing.
   */
  rateLimited = false;

  side(s: number): RestingSide {
    return s === 0 ? this.bids : this.asks;
  }

  get count(): number {
    return this.bids.count + this.asks.count;
  }

  add(side: number, level: number, id: string, tick: number, qtyLot: number, nowNs: number): void {
    const r = this.side(side);
    if (r.state[level] === QS_EMPTY) r.count++;
    r.ids[level] = id;
    r.tick[level] = tick;
    r.qty[level] = qtyLot;
    r.open[level] = qtyLot;
    r.placedNs[level] = nowNs;
    r.state[level] = QS_PENDING_NEW;
  }

  /** side × MAX_QUOTE_LEVELS + level of an order, or -1. */
  find(id: string): number {
    for (let s = 0; s < 2; s++) {
      const r = this.side(s);
      if (r.count === 0) continue;
      for (let i = 0; i < MAX_QUOTE_LEVELS; i++) if (r.ids[i] === id) return s * MAX_QUOTE_LEVELS + i;
    }
    return -1;
  }

  accepted(id: string): void {
    const at = this.find(id);
    if (at < 0) return;
    const r = this.side(at >= MAX_QUOTE_LEVELS ? 1 : 0);
    r.state[at % MAX_QUOTE_LEVELS] = QS_LIVE;
  }

  /** A fill of `qtyLot`; the level is freed when nothing is left open. Returns the side (0/1) or -1 when not resting here. */
  filled(id: string, qtyLot: number): number {
    const at = this.find(id);
    if (at < 0) return -1;
    const side = at >= MAX_QUOTE_LEVELS ? 1 : 0;
    const level = at % MAX_QUOTE_LEVELS;
    const r = this.side(side);
    const left = r.open[level]! - qtyLot;
    if (left <= 0) r.clear(level);
    else { r.open[level] = left; r.state[level] = QS_LIVE; }
    return side;
  }

  /** The order is gone (cancelled, rejected, expired): frees its level. */
  remove(id: string): boolean {
    const at = this.find(id);
    if (at < 0) return false;
    this.side(at >= MAX_QUOTE_LEVELS ? 1 : 0).clear(at % MAX_QUOTE_LEVELS);
    return true;
  }
}
