// An order inside the paper exchange, and the price levels our resting orders form
// on one side of a symbol (best price first, each level in arrival order).
import type { SideCode } from '../feed/feed-sink.js';
import type { OrderType, TimeInForce } from '../trading/types.js';
import type { QueuedOrder } from './queue-position.js';
import type { VenueOrder } from './venue.js';

export const PO_IN_FLIGHT = 0;
export const PO_RESTING = 1;
export const PO_DONE = 2;
export type PaperOrderState = typeof PO_IN_FLIGHT | typeof PO_RESTING | typeof PO_DONE;

export class PaperOrder implements QueuedOrder {
  readonly orderId: string;
  readonly clientOrderId: string;
  /** The account (strategy) the order belongs to: its fee rates apply. */
  readonly strategyId: string;
  readonly symbol: string;
  /** SIDE_BID for BUY, SIDE_ASK for SELL. */
  readonly side: SideCode;
  readonly type: OrderType;
  readonly timeInForce: TimeInForce;
  readonly priceTick: number;
  readonly qtyLot: number;
  /** Order of arrival at the exchange (queue priority among our orders). */
  arrivalSeq = 0;
  /** Exchange time the order reached the book: a trade printed before it (a late trade message) never fills it. */
  arrivedNs = 0;
  /** Strategy time the order was sent. */
  sentNs = 0;
  /** Strategy time the first cancel was sent; -1 while none was. */
  cancelSentNs = -1;
  state: PaperOrderState = PO_IN_FLIGHT;
  leavesLot: number;
  aheadLot = 0;
  lastSeenLot = 0;
  tradedSinceSeenLot = 0;
  fillNowLot = 0;

  constructor(o: VenueOrder) {
    this.orderId = o.orderId;
    this.clientOrderId = o.clientOrderId;
    this.strategyId = o.strategyId;
    this.symbol = o.symbol;
    this.side = o.side === 'BUY' ? 0 : 1;
    this.type = o.type;
    this.timeInForce = o.timeInForce;
    this.priceTick = o.priceTick;
    this.qtyLot = o.qtyLot;
    this.leavesLot = o.qtyLot;
  }
}

/** Our resting orders at one price, in arrival order. */
export class PaperLevel {
  readonly tick: number;
  readonly orders: PaperOrder[] = [];
  constructor(tick: number) { this.tick = tick; }

  /** Drops orders that are no longer resting (filled or cancelled), keeping the order of the rest. */
  compact(): void {
    const a = this.orders;
    let k = 0;
    for (let i = 0; i < a.length; i++) {
      const o = a[i]!;
      if (o.state === PO_RESTING && o.leavesLot > 0) a[k++] = o;
    }
    a.length = k;
  }
}

/** One side's levels, best price first (bids: highest tick first; asks: lowest first). */
export class RestingSide {
  readonly side: SideCode;
  readonly levels: PaperLevel[] = [];
  /** Resting orders on this side. */
  count = 0;
  constructor(side: SideCode) { this.side = side; }

  /** True when tick a has priority over tick b on this side. */
  better(a: number, b: number): boolean { return this.side === 0 ? a > b : a < b; }

  add(o: PaperOrder): void {
    const levels = this.levels;
    let i = 0;
    while (i < levels.length && this.better(levels[i]!.tick, o.priceTick)) i++;
    let level = levels[i];
    if (level === undefined || level.tick !== o.priceTick) {
      level = new PaperLevel(o.priceTick);
      levels.splice(i, 0, level);
    }
    level.orders.push(o);
    this.count++;
  }

  /** After orders left the book: compacts every level and drops empty ones; recounts. */
  compact(): void {
    const levels = this.levels;
    let k = 0;
    let count = 0;
    for (let i = 0; i < levels.length; i++) {
      const l = levels[i]!;
      l.compact();
      if (l.orders.length > 0) { levels[k++] = l; count += l.orders.length; }
    }
    levels.length = k;
    this.count = count;
  }
}
