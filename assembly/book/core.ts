// L2 book core: set / change / clear on integer ticks and lots.
// A window of WINDOW_TICKS ticks per book is stored as flat per-tick arrays
// (index = tick - baseTick); levels outside it go to the sorted overflow array.
// When a side's best price leaves the window, the window recenters on the mid and
// every level is carried over: nothing is ever dropped.
import {
  WINDOW_TICKS, OVERFLOW_CAP, SCRATCH_OFFSET, BITMAP_WORDS, SUMMARY_WORDS,
  BH_BASE_TICK, BH_WIN_BEST_BID, BH_BID_LEVELS, BH_BID_OVF, BH_FLAGS, BH_ERRORS,
  BH_RECENTERS, BH_LAST_ERROR, BH_UPDATES,
  ERR_OK, ERR_NEGATIVE_LEVEL, ERR_OVERFLOW_FULL, ERR_BAD_QTY,
  BOOK_FLAG_INTEGRITY, BOOK_FLAG_OVERFLOW_FULL,
} from '../layout';
import { bookPtr, sidePtr, qtyPtr, l0Ptr, l1Ptr, ovfPtr } from './addr';
import { bitSet, bitClear, prevSetBit, nextSetBit } from './bitmap';
import { ovfFind, ovfInsertAt, ovfRemoveAt, ovfTick, ovfQty } from './overflow';

export const BID_NONE: i64 = i64.MIN_VALUE;
export const ASK_NONE: i64 = i64.MAX_VALUE;
const W64: i64 = <i64>WINDOW_TICKS;
const HALF_W: i64 = <i64>(WINDOW_TICKS >> 1);
const MIN_MOVE: i64 = <i64>(WINDOW_TICKS >> 3);
const MAX_QTY_LOTS: i64 = 9007199254740992; // 2^53: exact in f64

// ---- header accessors (side-indexed fields are laid out bid, ask) ----
@inline export function baseTick(bp: usize): i64 { return load<i64>(bp + BH_BASE_TICK); }
@inline export function winBest(bp: usize, side: i32): i32 {
  return load<i32>(bp + BH_WIN_BEST_BID + (side << 2));
}
@inline function setWinBest(bp: usize, side: i32, idx: i32): void {
  store<i32>(bp + BH_WIN_BEST_BID + (side << 2), idx);
}
@inline export function levelCount(bp: usize, side: i32): i32 {
  return load<i32>(bp + BH_BID_LEVELS + (side << 2));
}
@inline function addLevels(bp: usize, side: i32, d: i32): void {
  const p = bp + BH_BID_LEVELS + (side << 2);
  store<i32>(p, load<i32>(p) + d);
}
@inline export function ovfCount(bp: usize, side: i32): i32 {
  return load<i32>(bp + BH_BID_OVF + (side << 2));
}
@inline function setOvfCount(bp: usize, side: i32, n: i32): void {
  store<i32>(bp + BH_BID_OVF + (side << 2), n);
}

export function recordError(book: i32, code: i32): i32 {
  const bp = bookPtr(book);
  store<i32>(bp + BH_ERRORS, load<i32>(bp + BH_ERRORS) + 1);
  store<i32>(bp + BH_LAST_ERROR, code);
  if (code == ERR_NEGATIVE_LEVEL) store<i32>(bp + BH_FLAGS, load<i32>(bp + BH_FLAGS) | BOOK_FLAG_INTEGRITY);
  if (code == ERR_OVERFLOW_FULL) store<i32>(bp + BH_FLAGS, load<i32>(bp + BH_FLAGS) | BOOK_FLAG_OVERFLOW_FULL);
  return code;
}

@inline function countUpdate(bp: usize): void {
  store<f64>(bp + BH_UPDATES, load<f64>(bp + BH_UPDATES) + 1.0);
}

// ---- reads -----------------------------------------------------------------
/** Best price on a side in ticks, BID_NONE / ASK_NONE when the side is empty. */
export function bestTick(book: i32, side: i32): i64 {
  const bp = bookPtr(book);
  const win = winBest(bp, side);
  const n = ovfCount(bp, side);
  if (side == 0) {
    let best = win >= 0 ? baseTick(bp) + <i64>win : BID_NONE;
    if (n > 0) {
      const t = ovfTick(ovfPtr(sidePtr(book, 0)), n - 1);
      if (t > best) best = t;
    }
    return best;
  }
  let best = win >= 0 ? baseTick(bp) + <i64>win : ASK_NONE;
  if (n > 0) {
    const t = ovfTick(ovfPtr(sidePtr(book, 1)), 0);
    if (t < best) best = t;
  }
  return best;
}

/** Quantity resting at tick on a side (0 when none). */
export function levelQty(book: i32, side: i32, tick: i64): i64 {
  const bp = bookPtr(book);
  const sp = sidePtr(book, side);
  const idx = tick - baseTick(bp);
  if (<u64>idx < <u64>W64) return load<i64>(qtyPtr(sp) + (<usize>idx << 3));
  const i = ovfFind(ovfPtr(sp), ovfCount(bp, side), tick);
  return i >= 0 ? ovfQty(ovfPtr(sp), i) : 0;
}

// ---- writes ------------------------------------------------------------------
/** Sets the absolute quantity at tick (0 removes). qty must be in [0, 2^53]. */
export function setLevel(book: i32, side: i32, tick: i64, qty: i64): i32 {
  const bp = bookPtr(book);
  const sp = sidePtr(book, side);
  let idx64 = tick - baseTick(bp);
  if (<u64>idx64 >= <u64>W64) {
    if (qty != 0 && levelCount(bp, 0) == 0 && levelCount(bp, 1) == 0) {
      // An empty book: put the window around this price; nothing to carry over.
      store<i64>(bp + BH_BASE_TICK, tick - HALF_W);
      idx64 = HALF_W;
    } else {
      return setOverflow(book, bp, sp, side, tick, qty);
    }
  }
  const idx = <i32>idx64;
  const p = qtyPtr(sp) + (<usize>idx << 3);
  const old = load<i64>(p);
  countUpdate(bp);
  if (qty != 0) {
    store<i64>(p, qty);
    if (old == 0) {
      bitSet(l0Ptr(sp), l1Ptr(sp), idx);
      addLevels(bp, side, 1);
      const wb = winBest(bp, side);
      if (side == 0 ? idx > wb : (wb < 0 || idx < wb)) setWinBest(bp, side, idx);
    }
  } else if (old != 0) {
    store<i64>(p, 0);
    bitClear(l0Ptr(sp), l1Ptr(sp), idx);
    addLevels(bp, side, -1);
    if (winBest(bp, side) == idx) {
      const nb = side == 0 ? prevSetBit(l0Ptr(sp), l1Ptr(sp), idx) : nextSetBit(l0Ptr(sp), l1Ptr(sp), idx);
      setWinBest(bp, side, nb);
      if (nb < 0 && ovfCount(bp, side) > 0) maybeRecenter(book);
    }
  }
  return ERR_OK;
}

function setOverflow(book: i32, bp: usize, sp: usize, side: i32, tick: i64, qty: i64): i32 {
  const ob = ovfPtr(sp);
  const n = ovfCount(bp, side);
  const i = ovfFind(ob, n, tick);
  if (i >= 0) {
    if (qty != 0) {
      store<i64>(ob + (<usize>i << 4), qty, 8);
    } else {
      setOvfCount(bp, side, ovfRemoveAt(ob, n, i));
      addLevels(bp, side, -1);
    }
  } else {
    if (qty == 0) { countUpdate(bp); return ERR_OK; }
    const n2 = ovfInsertAt(ob, n, -i - 1, tick, qty);
    if (n2 < 0) return recordError(book, ERR_OVERFLOW_FULL);
    setOvfCount(bp, side, n2);
    addLevels(bp, side, 1);
  }
  countUpdate(bp);
  maybeRecenter(book);
  return ERR_OK;
}

/** Adds a signed delta to a level. Going below zero is refused as an integrity error. */
export function changeLevel(book: i32, side: i32, tick: i64, delta: i64): i32 {
  if (delta == 0) return ERR_OK;
  const next = levelQty(book, side, tick) + delta;
  if (next < 0) return recordError(book, ERR_NEGATIVE_LEVEL);
  if (next > MAX_QTY_LOTS) return recordError(book, ERR_BAD_QTY);
  return setLevel(book, side, tick, next);
}

export function clearSide(book: i32, side: i32): void {
  const bp = bookPtr(book);
  const sp = sidePtr(book, side);
  const l0 = l0Ptr(sp);
  const l1 = l1Ptr(sp);
  const q = qtyPtr(sp);
  let idx = nextSetBit(l0, l1, -1);
  while (idx >= 0) {
    store<i64>(q + (<usize>idx << 3), 0);
    idx = nextSetBit(l0, l1, idx);
  }
  memory.fill(l0, 0, <usize>BITMAP_WORDS << 3);
  memory.fill(l1, 0, <usize>SUMMARY_WORDS << 3);
  setWinBest(bp, side, -1);
  setOvfCount(bp, side, 0);
  store<i32>(bp + BH_BID_LEVELS + (side << 2), 0);
}

/** Both sides emptied and latched integrity flags cleared (a fresh snapshot follows). */
export function clearBook(book: i32): void {
  clearSide(book, 0);
  clearSide(book, 1);
  const bp = bookPtr(book);
  store<i32>(bp + BH_FLAGS, 0);
}

/** Clears levels, flags and counters. */
export function resetBook(book: i32): void {
  clearBook(book);
  const bp = bookPtr(book);
  store<i64>(bp + BH_BASE_TICK, 0);
  store<i32>(bp + BH_ERRORS, 0);
  store<i32>(bp + BH_RECENTERS, 0);
  store<i32>(bp + BH_LAST_ERROR, 0);
  store<f64>(bp + BH_UPDATES, 0);
}

// ---- window moves ----------------------------------------------------------------
function maybeRecenter(book: i32): void {
  const bp = bookPtr(book);
  const base = baseTick(bp);
  const bb = bestTick(book, 0);
  const ba = bestTick(book, 1);
  const bidOut = bb != BID_NONE && (bb < base || bb >= base + W64);
  const askOut = ba != ASK_NONE && (ba < base || ba >= base + W64);
  if (!bidOut && !askOut) return;
  let center: i64;
  if (bb != BID_NONE && ba != ASK_NONE) center = bb + ((ba - bb) >> 1);
  else center = bb != BID_NONE ? bb : ba;
  const newBase = center - HALF_W;
  const move = newBase - base;
  if (move < MIN_MOVE && move > -MIN_MOVE) return;
  recenter(book, newBase);
}

/** Levels of a side that would lie outside [newBase, newBase + W). */
function countOutside(book: i32, side: i32, newBase: i64): i32 {
  const bp = bookPtr(book);
  const sp = sidePtr(book, side);
  const base = baseTick(bp);
  let out = 0;
  let idx = nextSetBit(l0Ptr(sp), l1Ptr(sp), -1);
  while (idx >= 0) {
    if (<u64>(base + <i64>idx - newBase) >= <u64>W64) out++;
    idx = nextSetBit(l0Ptr(sp), l1Ptr(sp), idx);
  }
  const ob = ovfPtr(sp);
  const n = ovfCount(bp, side);
  for (let i = 0; i < n; i++) {
    if (<u64>(ovfTick(ob, i) - newBase) >= <u64>W64) out++;
  }
  return out;
}

function recenter(book: i32, newBase: i64): void {
  if (countOutside(book, 0, newBase) > OVERFLOW_CAP || countOutside(book, 1, newBase) > OVERFLOW_CAP) return;
  const bp = bookPtr(book);
  const oldBase = baseTick(bp);
  for (let side = 0; side < 2; side++) {
    const sp = sidePtr(book, side);
    const q = qtyPtr(sp);
    const l0 = l0Ptr(sp);
    const l1 = l1Ptr(sp);
    const ob = ovfPtr(sp);
    const n = ovfCount(bp, side);
    // 1. window levels out to scratch A, in ascending tick order
    const a = <usize>SCRATCH_OFFSET;
    let na = 0;
    let idx = nextSetBit(l0, l1, -1);
    while (idx >= 0) {
      const p = q + (<usize>idx << 3);
      const e = a + (<usize>na << 4);
      store<i64>(e, oldBase + <i64>idx);
      store<i64>(e, load<i64>(p), 8);
      store<i64>(p, 0);
      na++;
      idx = nextSetBit(l0, l1, idx);
    }
    memory.fill(l0, 0, <usize>BITMAP_WORDS << 3);
    memory.fill(l1, 0, <usize>SUMMARY_WORDS << 3);
    // 2. all levels in ascending order: overflow below the old window, A, overflow above
    let split = 0;
    while (split < n && ovfTick(ob, split) < oldBase) split++;
    const b = a + (<usize>na << 4); // scratch B: the new overflow
    let nb = 0;
    for (let part = 0; part < 3; part++) {
      const src = part == 1 ? a : ob;
      const from = part == 0 ? 0 : part == 1 ? 0 : split;
      const to = part == 0 ? split : part == 1 ? na : n;
      for (let i = from; i < to; i++) {
        const t = ovfTick(src, i);
        const v = ovfQty(src, i);
        const ni = t - newBase;
        if (<u64>ni < <u64>W64) {
          store<i64>(q + (<usize>ni << 3), v);
          bitSet(l0, l1, <i32>ni);
        } else {
          const e = b + (<usize>nb << 4);
          store<i64>(e, t);
          store<i64>(e, v, 8);
          nb++;
        }
      }
    }
    if (nb > 0) memory.copy(ob, b, <usize>nb << 4);
    setOvfCount(bp, side, nb);
    setWinBest(bp, side, side == 0 ? prevSetBit(l0, l1, WINDOW_TICKS) : nextSetBit(l0, l1, -1));
  }
  store<i64>(bp + BH_BASE_TICK, newBase);
  store<i32>(bp + BH_RECENTERS, load<i32>(bp + BH_RECENTERS) + 1);
}
