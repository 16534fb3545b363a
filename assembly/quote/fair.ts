// Fair value from the book when none is passed in: the mid, or the microprice
// (size-weighted mid, Stoikov's "weighted mid"). NaN when a side is empty.
import { FAIR_MICROPRICE } from '../layout';
import { levelQty } from '../book/core';

/** bestBid/bestAsk are the sides' best ticks, NaN when empty; book is a valid index. */
export function fairFromBook(book: i32, mode: i32, bestBid: f64, bestAsk: f64): f64 {
  if (isNaN(bestBid) || isNaN(bestAsk)) return NaN;
  if (mode == FAIR_MICROPRICE) {
    const bq = <f64>levelQty(book, 0, <i64>bestBid);
    const aq = <f64>levelQty(book, 1, <i64>bestAsk);
    const total = bq + aq;
    if (total > 0) return (bestBid * aq + bestAsk * bq) / total;
  }
  return (bestBid + bestAsk) * 0.5;
}
