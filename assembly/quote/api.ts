// Exported quote-ladder API (i32/f64 only). quoteCompute validates its arguments
// and the slot's parameter block once, then runs the model and the ladder builder
// without further checks. See docs/quote-models.md for the formulas.
import {
  MAX_QUOTERS, MAX_BOOKS, QUOTE_PARAM_SLOTS, QUOTE_OUT_SLOTS,
  ERR_BAD_SLOT, ERR_BAD_BOOK, ERR_BAD_PRICE, ERR_BAD_QTY,
  QP_MODEL, QP_LEVELS, QP_SPREAD_MULT, QP_BID_SPREAD_MULT, QP_ASK_SPREAD_MULT, QP_SIZE_MULT,
  QP_SOFT_SPREAD_MULT, QP_FAIR_MODE, QP_ORDER_SIZE_LOT, QP_EXTRA_SHIFT_TICKS,
  QUOTE_MODEL_LINEAR, QUOTE_MODEL_AS,
  QO_BID_COUNT, QO_ASK_COUNT, QO_FAIR_TICK, QO_RESERVATION_TICK, QO_HALF_SPREAD_TICKS,
  QO_SKEW_TICKS, QO_FLAGS, QF_NO_FAIR, QF_BAD_PARAMS, QF_SKEWED,
} from '../layout';
import { BID_NONE, ASK_NONE, bestTick } from '../book/core';
import { paramPtr, outPtr, getSlot, setSlot } from './slot';
import { centreTick, halfTicks, skewTicks, frameFlags, setFrame, clearFlags, addFlags } from './frame';
import { paramsValid } from './validate';
import { fairFromBook } from './fair';
import { linearModel } from './linear';
import { avellanedaStoikovModel } from './avellaneda-stoikov';
import { glftModel } from './glft';
import { buildLadder, ladderBidCount, ladderAskCount } from './ladder';

const MAX_ABS_TICK: f64 = 4503599627370496.0; // 2^52, as for book prices

/** Sets slot defaults: linear model, 1 level, every multiplier 1, everything else 0. */
export function quoteReset(slot: i32): i32 {
  if (<u32>slot >= <u32>MAX_QUOTERS) return -ERR_BAD_SLOT;
  const p = paramPtr(slot);
  memory.fill(p, 0, <usize>QUOTE_PARAM_SLOTS << 3);
  setSlot(p, QP_MODEL, <f64>QUOTE_MODEL_LINEAR);
  setSlot(p, QP_LEVELS, 1);
  setSlot(p, QP_SPREAD_MULT, 1);
  setSlot(p, QP_SOFT_SPREAD_MULT, 1);
  setSlot(p, QP_BID_SPREAD_MULT, 1);
  setSlot(p, QP_ASK_SPREAD_MULT, 1);
  setSlot(p, QP_SIZE_MULT, 1);
  memory.fill(outPtr(slot), 0, <usize>QUOTE_OUT_SLOTS << 3);
  return 0;
}

/** Writes an empty result (nothing quoted) with the given flags. */
function emptyResult(o: usize, fairTick: f64, flags: i32): void {
  setSlot(o, QO_BID_COUNT, 0);
  setSlot(o, QO_ASK_COUNT, 0);
  setSlot(o, QO_FAIR_TICK, fairTick);
  setSlot(o, QO_RESERVATION_TICK, NaN);
  setSlot(o, QO_HALF_SPREAD_TICKS, NaN);
  setSlot(o, QO_SKEW_TICKS, 0);
  setSlot(o, QO_FLAGS, <f64>flags);
}

/**
 * Computes the ladder of quoter `slot` into its output block.
 * book: book index for the fair value and the post-only clamp, or -1 for none.
 * fairTick: fair value in (possibly fractional) ticks, or NaN to take it from the book.
 * inventoryLot: signed position in lots.
 * Returns bidCount | askCount << 8, or -ERR_* for a bad slot or argument.
 */
export function quoteCompute(slot: i32, book: i32, fairTick: f64, inventoryLot: f64): i32 {
  if (<u32>slot >= <u32>MAX_QUOTERS) return -ERR_BAD_SLOT;
  const o = outPtr(slot);
  if (book != -1 && <u32>book >= <u32>MAX_BOOKS) {
    emptyResult(o, NaN, 0);
    return -ERR_BAD_BOOK;
  }
  if (!isFinite(inventoryLot)) {
    emptyResult(o, NaN, 0);
    return -ERR_BAD_QTY;
  }
  if (!isNaN(fairTick) && !(Math.abs(fairTick) <= MAX_ABS_TICK)) {
    emptyResult(o, NaN, 0);
    return -ERR_BAD_PRICE;
  }
  const p = paramPtr(slot);
  if (!paramsValid(p)) {
    emptyResult(o, fairTick, QF_BAD_PARAMS);
    return 0;
  }

  let bestBid: f64 = NaN;
  let bestAsk: f64 = NaN;
  if (book >= 0) {
    const b = bestTick(book, 0);
    const a = bestTick(book, 1);
    if (b != BID_NONE) bestBid = <f64>b;
    if (a != ASK_NONE) bestAsk = <f64>a;
  }
  let fair = fairTick;
  if (isNaN(fair) && book >= 0) fair = fairFromBook(book, <i32>getSlot(p, QP_FAIR_MODE), bestBid, bestAsk);
  if (!(fair > 0)) {
    emptyResult(o, isNaN(fair) ? NaN : fair, QF_NO_FAIR);
    return 0;
  }

  clearFlags();
  const model = <i32>getSlot(p, QP_MODEL);
  if (model == QUOTE_MODEL_LINEAR) {
    linearModel(p, fair, inventoryLot);
  } else {
    const unitLot = getSlot(p, QP_ORDER_SIZE_LOT);
    const q = unitLot > 0 ? inventoryLot / unitLot : inventoryLot;
    const ok = model == QUOTE_MODEL_AS ? avellanedaStoikovModel(p, fair, q) : glftModel(p, fair, q);
    if (!ok) {
      emptyResult(o, fair, QF_BAD_PARAMS);
      return 0;
    }
  }
  const skew = skewTicks + 0.0; // -0 -> +0
  const centre = centreTick + getSlot(p, QP_EXTRA_SHIFT_TICKS);
  if (!(isFinite(centre) && Math.abs(centre) <= MAX_ABS_TICK && halfTicks >= 0 && halfTicks <= MAX_ABS_TICK)) {
    emptyResult(o, fair, QF_BAD_PARAMS);
    return 0;
  }
  setFrame(centre, halfTicks, skew);
  if (skew != 0) addFlags(QF_SKEWED);

  buildLadder(p, o, fair, inventoryLot, bestBid, bestAsk);
  const nb = ladderBidCount;
  const na = ladderAskCount;
  setSlot(o, QO_BID_COUNT, <f64>nb);
  setSlot(o, QO_ASK_COUNT, <f64>na);
  setSlot(o, QO_FAIR_TICK, fair);
  setSlot(o, QO_RESERVATION_TICK, centre);
  setSlot(o, QO_HALF_SPREAD_TICKS, halfTicks);
  setSlot(o, QO_SKEW_TICKS, skew);
  setSlot(o, QO_FLAGS, <f64>frameFlags);
  return nb | (na << 8);
}
