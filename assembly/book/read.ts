// Reads over a book: levels in price priority, sums for imbalance, microprice.
import { WINDOW_TICKS } from '../layout';
import { bookPtr, sidePtr, qtyPtr, l0Ptr, l1Ptr, ovfPtr } from './addr';
import { prevSetBit, nextSetBit } from './bitmap';
import { ovfTick, ovfQty } from './overflow';
import { baseTick, winBest, ovfCount } from './core';

const W64: i64 = <i64>WINDOW_TICKS;

/** Sum of quantities seen by the last walkSide call. */
export let walkQtySum: i64 = 0;

@inline function emit(out: usize, count: i32, tick: i64, qty: i64): void {
  if (out != 0) {
    const p = out + (<usize>count << 4);
    store<f64>(p, <f64>tick);
    store<f64>(p, <f64>qty, 8);
  }
  walkQtySum += qty;
}

/**
 * Visits up to n levels of a side from the best price outwards, writing
 * (f64 tick, f64 qty) pairs to out when out != 0. Returns the number visited.
 * Bids: overflow above the window, the window downwards, overflow below.
 * Asks: overflow below the window, the window upwards, overflow above.
 */
export function walkSide(book: i32, side: i32, n: i32, out: usize): i32 {
  const bp = bookPtr(book);
  const sp = sidePtr(book, side);
  const base = baseTick(bp);
  const ob = ovfPtr(sp);
  const no = ovfCount(bp, side);
  const q = qtyPtr(sp);
  const l0 = l0Ptr(sp);
  const l1 = l1Ptr(sp);
  let count = 0;
  walkQtySum = 0;
  if (side == 0) {
    let i = no - 1;
    while (i >= 0 && count < n && ovfTick(ob, i) >= base + W64) {
      emit(out, count++, ovfTick(ob, i), ovfQty(ob, i));
      i--;
    }
    let idx = winBest(bp, 0);
    while (idx >= 0 && count < n) {
      emit(out, count++, base + <i64>idx, load<i64>(q + (<usize>idx << 3)));
      idx = prevSetBit(l0, l1, idx);
    }
    while (i >= 0 && count < n) {
      emit(out, count++, ovfTick(ob, i), ovfQty(ob, i));
      i--;
    }
  } else {
    let i = 0;
    while (i < no && count < n && ovfTick(ob, i) < base) {
      emit(out, count++, ovfTick(ob, i), ovfQty(ob, i));
      i++;
    }
    let idx = winBest(bp, 1);
    while (idx >= 0 && count < n) {
      emit(out, count++, base + <i64>idx, load<i64>(q + (<usize>idx << 3)));
      idx = nextSetBit(l0, l1, idx);
    }
    while (i < no && count < n) {
      emit(out, count++, ovfTick(ob, i), ovfQty(ob, i));
      i++;
    }
  }
  return count;
}
