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
// else; the queue model says how much of it was ahead of us (shareAhead, below).
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
 * The share of a cancel at our price that was ahead of us, given the market quantity
 * ahead (front) and behind (back) of our order just before it, in base units of the
 * instrument (hftbacktest's ProbQueueModel: the probability that a decrease is behind
 * us is p = f(back) / (f(back) + f(front)); this returns 1 − p):
 * - proportional: f(x) = x, so front / (front + back) (Rigtorp 2013; quant.stackexchange 3782);
 * - power:        f(x) = x^n  (n = the exponent; n = 1 is proportional);
 * - log:          f(x) = ln(1 + x);
 * - risk_averse / pessimistic: 0 (cancels never come from ahead of us).
 * When front and back are both 0 the whole decrease is ahead (1).
 */
export function shareAhead(model: QueueModel, exponent: number, front: number, back: number): number {
  switch (model) {
    case 'risk_averse':
    case 'pessimistic': return 0;
    case 'proportional': return front + back > 0 ? front / (front + back) : 1;
    case 'power': {
      const ff = Math.pow(front, exponent);
      const fb = Math.pow(back, exponent);
      return ff + fb > 0 ? ff / (ff + fb) : 1;
    }
    case 'log': {
      const ff = Math.log1p(front);
      const fb = Math.log1p(back);
      return ff + fb > 0 ? ff / (ff + fb) : 1;
    }
  }
}

/** How the queue models read a level: the model, its exponent (power only), and the size of one lot in base units. */
export interface QueueModelParams {
  readonly model: QueueModel;
  readonly exponent: number;
  /** Base units per lot (the log model is not scale-free: it reads quantities in the instrument's units, as hftbacktest does). */
  readonly lotQty: number;
}

/**
 * Brings an order's queue position up to date with the displayed quantity now at its
 * price: a decrease first uses up the trade volume seen since the last look (those
 * lots left by trading), the rest is cancels, of which shareAhead() was ahead of us
 * (the part ahead shrinks by floor(share × cancelled) lots, so the queue ahead stays
 * the larger); then the queue ahead never exceeds what is displayed (that clamp is
 * hftbacktest's min(0, back − p·chg) term: cancels beyond what was behind us must
 * have been ahead).
 */
export function observeLevel(o: QueuedOrder, displayedLot: number, model: QueueModelParams | QueueModel): void {
  const q = typeof model === 'string' ? { model, exponent: 2, lotQty: 1 } : model;
  const decrease = o.lastSeenLot - displayedLot;
  if (decrease > 0) {
    const traded = o.tradedSinceSeenLot;
    const explained = decrease < traded ? decrease : traded;
    o.tradedSinceSeenLot = traded - explained;
    const cancelled = decrease - explained;
    if (cancelled > 0 && o.aheadLot > 0) {
      const levelBefore = o.lastSeenLot - explained; // market size just before the cancels
      if (levelBefore > 0) {
        const front = o.aheadLot < levelBefore ? o.aheadLot : levelBefore;
        const back = levelBefore - front;
        const share = q.model === 'proportional'
          ? Math.floor((cancelled * o.aheadLot) / levelBefore) // exact in whole lots (as before the other models existed)
          : Math.floor(cancelled * shareAhead(q.model, q.exponent, front * q.lotQty, back * q.lotQty) + 1e-9);
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
