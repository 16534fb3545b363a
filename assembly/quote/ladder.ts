// From a centre and a half-spread (ticks) to the output ladder: level prices on
// the tick grid (bids down, asks up), strictly monotonic, post-only against the
// book, inside the price bounds, sized in whole lots within the hard position limit.
import {
  MAX_QUOTE_LEVELS, QP_LEVELS, QP_LEVEL_SPACING_BPS, QP_LEVEL_SPACING_TICKS, QP_ORDER_SIZE_LOT,
  QP_MAX_POSITION_LOT, QP_BID_SPREAD_MULT, QP_ASK_SPREAD_MULT, QP_SIZE_MULT, QP_POST_ONLY,
  QP_MIN_PRICE_TICK, QP_MAX_PRICE_TICK, QP_LEVEL_SIZE_BASE,
  QO_BIDS, QO_ASKS, QF_BID_HARD_LIMIT, QF_ASK_HARD_LIMIT, QF_POST_ONLY_ADJUSTED,
} from '../layout';
import { getSlot, setSlot } from './slot';
import { floorGrid, ceilGrid } from './round';
import { centreTick, halfTicks, addFlags } from './frame';

/** Largest tick magnitude quoted: integers stay exact in f64 well beyond it. */
const MAX_TICK: f64 = 4503599627370496.0; // 2^52

/** Ladder sizes after the last buildLadder call. */
export let ladderBidCount: i32 = 0;
export let ladderAskCount: i32 = 0;

@inline function levelSizeLot(p: usize, i: i32, orderSizeLot: f64, sizeMult: f64): f64 {
  const own = getSlot(p, QP_LEVEL_SIZE_BASE + i);
  return floorGrid((own > 0 ? own : orderSizeLot) * sizeMult);
}

/**
 * Writes one side's levels to out + idx slots, starting from the level-0 tick.
 * raw0 is the unrounded level-0 price; capacityLot the size the hard limit allows.
 * Returns the number of levels written.
 */
@inline function emitSide(
  p: usize, o: usize, isBid: bool, levels: i32, tick0: f64, raw0: f64, spacing: f64,
  lo: f64, hi: f64, capacityLot: f64,
): i32 {
  const orderSizeLot = getSlot(p, QP_ORDER_SIZE_LOT);
  const sizeMult = getSlot(p, QP_SIZE_MULT);
  const base = o + (<usize>(isBid ? QO_BIDS : QO_ASKS) << 3);
  let remaining = capacityLot;
  let n = 0;
  let tick = tick0;
  for (let i = 0; i < levels; i++) {
    if (i > 0) {
      if (isBid) tick = Math.min(floorGrid(raw0 - <f64>i * spacing), tick - 1.0);
      else tick = Math.max(ceilGrid(raw0 + <f64>i * spacing), tick + 1.0);
    }
    if (isBid) {
      if (tick < lo) break; // every deeper bid is lower still
      if (tick > hi) continue;
    } else {
      if (tick > hi) break;
      if (tick < lo) continue;
    }
    let size = levelSizeLot(p, i, orderSizeLot, sizeMult);
    if (size > remaining) size = Math.floor(remaining);
    if (size < 1.0) {
      if (remaining < 1.0) break;
      continue;
    }
    remaining -= size;
    const e = base + (<usize>n << 4);
    store<f64>(e, tick);
    store<f64>(e, size, 8);
    n++;
  }
  return n;
}

/**
 * Builds both sides from the frame (centreTick, halfTicks). bestBid / bestAsk are
 * the book's best ticks, NaN when there is no book or the side is empty.
 */
export function buildLadder(p: usize, o: usize, fairTick: f64, inventoryLot: f64, bestBid: f64, bestAsk: f64): void {
  let levels = <i32>Math.min(getSlot(p, QP_LEVELS), <f64>MAX_QUOTE_LEVELS);
  const spacingTicks = getSlot(p, QP_LEVEL_SPACING_TICKS);
  const spacing = spacingTicks > 0 ? spacingTicks : fairTick * getSlot(p, QP_LEVEL_SPACING_BPS) / 1e4;
  const bidRaw0 = centreTick - halfTicks * getSlot(p, QP_BID_SPREAD_MULT);
  const askRaw0 = centreTick + halfTicks * getSlot(p, QP_ASK_SPREAD_MULT);

  // level 0: round, keep off the opposite side of the book, never locked or crossed
  let bid0 = floorGrid(bidRaw0);
  let ask0 = ceilGrid(askRaw0);
  if (getSlot(p, QP_POST_ONLY) != 0) {
    if (bid0 >= bestAsk) { // false when bestAsk is NaN
      bid0 = bestAsk - 1.0;
      addFlags(QF_POST_ONLY_ADJUSTED);
    }
    if (ask0 <= bestBid) {
      ask0 = bestBid + 1.0;
      addFlags(QF_POST_ONLY_ADJUSTED);
    }
  }
  if (ask0 <= bid0) {
    // Only a lock is possible here (both rounded onto one tick): step both sides out.
    const m = (bid0 + ask0) * 0.5;
    bid0 = Math.ceil(m) - 1.0;
    ask0 = Math.floor(m) + 1.0;
  }

  const minPrice = getSlot(p, QP_MIN_PRICE_TICK);
  const maxPrice = getSlot(p, QP_MAX_PRICE_TICK);
  const lo = Math.max(1.0, minPrice);
  const hi = maxPrice > 0 ? Math.min(maxPrice, MAX_TICK) : MAX_TICK;

  const maxPos = getSlot(p, QP_MAX_POSITION_LOT);
  let bidCapacity: f64 = Infinity;
  let askCapacity: f64 = Infinity;
  if (maxPos > 0) {
    bidCapacity = maxPos - inventoryLot;
    askCapacity = maxPos + inventoryLot;
    if (bidCapacity <= 0) { bidCapacity = 0; addFlags(QF_BID_HARD_LIMIT); }
    if (askCapacity <= 0) { askCapacity = 0; addFlags(QF_ASK_HARD_LIMIT); }
  }
  ladderBidCount = bidCapacity > 0 ? emitSide(p, o, true, levels, bid0, bidRaw0, spacing, lo, hi, bidCapacity) : 0;
  ladderAskCount = askCapacity > 0 ? emitSide(p, o, false, levels, ask0, askRaw0, spacing, lo, hi, askCapacity) : 0;
}
