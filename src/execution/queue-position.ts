// Queue position arithmetic for resting paper orders on L2 data (aggregated size per
// price). Each of our orders at a price knows the market quantity ahead of it; our
// own orders at the same price queue among themselves in arrival order, and the
// market's orders sit in between (the level reads, front to back:
// [market ahead of #1][#1][market between #1 and #2][#2]...). Our orders are not in
// the market's displayed quantity: the market never sees paper orders.
//
// A trade at our price whose aggressor is on the other side eats the level from the
// front. The volume reaching order i is what is left after the market quantity
// ahead of it and the remaining quantity of our orders ahead of it:
//   fill_i = clamp(V − ahead_i − Σ_{j<i} leaves_j, 0, leaves_i)
// and the market quantity ahead of it that the trade took is
//   min(ahead_i, V − Σ_{j<i} fill_j).
// A decrease of the displayed size that trades do not explain is a cancel by someone
// else; the queue model says how much of it was ahead of us (see paper-config.ts).
// Additions join the back of the level and change nothing ahead of us. Quantities
// stay whole lots: a proportional share is rounded so the queue ahead stays the
// larger (a cancel moves us forward by floor(share)).
import type { QueueModel } from './paper-config.js';

/** What the arithmetic reads and writes on a resting order. */
export interface QueuedOrder {
  /** Quantity not yet filled, lots. */
  leavesLot: number;
  /** Market quantity ahead of the order at its price, lots. */
  aheadLot: number;
  /** Displayed quantity at the order's price when it was last looked at, lots. */
  lastSeenLot: number;
  /** Opposite-side trade volume at the order's price since then, not yet seen as a decrease of the displayed size. */
  tradedSinceSeenLot: number;
  /** Output of tradeAtLevel: this order's fill from the trade, lots. */
  fillNowLot: number;
}

/**
 * Applies a trade to the orders resting at its price, in queue (arrival) order.
 * volumeLot is the part of the trade's volume that reaches this level (a trade that
 * already filled our better-priced orders passes on less); printLot is the whole
 * printed quantity (it is what the market's displayed size will drop by). Writes each
 * order's fillNowLot and returns the sum of fills (never more than volumeLot).
 */
export function tradeAtLevel(orders: readonly QueuedOrder[], n: number, volumeLot: number, printLot: number): number {
  let ourLeavesAhead = 0;
  let ourFilled = 0;
  for (let i = 0; i < n; i++) {
    const o = orders[i]!;
    const leaves = o.leavesLot;
    const passing = volumeLot - ourFilled; // volume not taken by our orders ahead
    let fill = volumeLot - o.aheadLot - ourLeavesAhead;
    if (fill < 0) fill = 0;
    if (fill > leaves) fill = leaves;
    if (fill > passing) fill = passing;
    o.aheadLot = o.aheadLot > passing ? o.aheadLot - passing : 0;
    o.tradedSinceSeenLot += printLot;
    o.fillNowLot = fill;
    ourLeavesAhead += leaves;
    ourFilled += fill;
  }
  return ourFilled;
}

/**
 * Brings an order's queue position up to date with the displayed quantity now at its
 * price: a decrease first uses up the trade volume seen since the last look (those
 * lots left by trading), the rest is cancels, attributed by the model; then the
 * queue ahead never exceeds what is displayed.
 */
export function observeLevel(o: QueuedOrder, displayedLot: number, model: QueueModel): void {
  const decrease = o.lastSeenLot - displayedLot;
  if (decrease > 0) {
    const traded = o.tradedSinceSeenLot;
    const explained = decrease < traded ? decrease : traded;
    o.tradedSinceSeenLot = traded - explained;
    const cancelled = decrease - explained;
    if (cancelled > 0 && model === 'proportional') {
      const levelBefore = o.lastSeenLot - explained; // market size just before the cancels
      if (levelBefore > 0 && o.aheadLot > 0) {
        const share = Math.floor((cancelled * o.aheadLot) / levelBefore);
        o.aheadLot = share >= o.aheadLot ? 0 : o.aheadLot - share;
      }
    }
  }
  // trade volume can never explain more than the level still shows
  if (o.tradedSinceSeenLot > displayedLot) o.tradedSinceSeenLot = displayedLot;
  if (o.aheadLot > displayedLot) o.aheadLot = displayedLot;
  o.lastSeenLot = displayedLot;
}

/** Puts an order at the back of the displayed queue (on arrival, or after the book was resynchronised). */
export function joinBack(o: QueuedOrder, displayedLot: number): void {
  o.aheadLot = displayedLot;
  o.lastSeenLot = displayedLot;
  o.tradedSinceSeenLot = 0;
}
