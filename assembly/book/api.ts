// Exported book API: i32/f64 only. Every entry point validates its arguments once;
// everything below runs unchecked.
import {
  MAX_BOOKS, MAX_DEPTH_LEVELS, DEPTH_OUT_OFFSET, DEPTH_LEVEL_BYTES,
  STAGING_OFFSET, STAGING_CAP, STAGING_RECORD_BYTES, SR_BOOK, SR_OP, SR_TICK, SR_QTY, SR_STATUS,
  OP_SET, OP_CHANGE, OP_CLEAR_SIDE, OP_CLEAR_BOOK, OP_SIDE_SHIFT, OP_CODE_MASK,
  ERR_OK, ERR_BAD_BOOK, ERR_BAD_SIDE, ERR_BAD_PRICE, ERR_BAD_QTY, ERR_BAD_OP, ERR_BAD_COUNT,
  BH_FLAGS, BH_ERRORS, BH_RECENTERS, BH_LAST_ERROR, BH_UPDATES,
  BOOK_FLAG_CROSSED, BOOK_FLAG_BID_EMPTY, BOOK_FLAG_ASK_EMPTY,
} from '../layout';
import { bookPtr } from './addr';
import {
  BID_NONE, ASK_NONE, bestTick, levelQty, setLevel, changeLevel, clearSide, clearBook, resetBook,
  recordError, baseTick, levelCount, ovfCount,
} from './core';
import { walkSide, walkQtySum } from './read';

const MAX_ABS_TICK: f64 = 4503599627370496.0; // 2^52
const MAX_QTY: f64 = 9007199254740992.0; // 2^53

@inline function badBook(book: i32): bool { return <u32>book >= <u32>MAX_BOOKS; }
@inline function badSide(side: i32): bool { return <u32>side > 1; }
@inline function badTick(t: f64): bool { return !(t == Math.floor(t) && Math.abs(t) <= MAX_ABS_TICK); }
@inline function badQty(q: f64): bool { return !(q == Math.floor(q) && q >= 0 && q <= MAX_QTY); }
@inline function badDelta(q: f64): bool { return !(q == Math.floor(q) && Math.abs(q) <= MAX_QTY); }

export function bookReset(book: i32): i32 {
  if (badBook(book)) return ERR_BAD_BOOK;
  resetBook(book);
  return ERR_OK;
}

export function bookClear(book: i32): i32 {
  if (badBook(book)) return ERR_BAD_BOOK;
  clearBook(book);
  return ERR_OK;
}

export function bookClearSide(book: i32, side: i32): i32 {
  if (badBook(book)) return ERR_BAD_BOOK;
  if (badSide(side)) return recordError(book, ERR_BAD_SIDE);
  clearSide(book, side);
  return ERR_OK;
}

/** Absolute quantity at a price (0 removes). */
export function bookSet(book: i32, side: i32, tick: f64, qty: f64): i32 {
  if (badBook(book)) return ERR_BAD_BOOK;
  if (badSide(side)) return recordError(book, ERR_BAD_SIDE);
  if (badTick(tick)) return recordError(book, ERR_BAD_PRICE);
  if (badQty(qty)) return recordError(book, ERR_BAD_QTY);
  return setLevel(book, side, <i64>tick, <i64>qty);
}

/** Signed change of the quantity at a price; reaching 0 removes, below 0 is refused. */
export function bookChange(book: i32, side: i32, tick: f64, delta: f64): i32 {
  if (badBook(book)) return ERR_BAD_BOOK;
  if (badSide(side)) return recordError(book, ERR_BAD_SIDE);
  if (badTick(tick)) return recordError(book, ERR_BAD_PRICE);
  if (badDelta(delta)) return recordError(book, ERR_BAD_QTY);
  return changeLevel(book, side, <i64>tick, <i64>delta);
}

/**
 * Applies n staged records in order. Each record's status field receives its
 * ERR_* code. Returns the number of records refused, or -ERR_BAD_COUNT.
 */
export function applyStaged(n: i32): i32 {
  if (<u32>n > <u32>STAGING_CAP) return -ERR_BAD_COUNT;
  let refused = 0;
  let p = <usize>STAGING_OFFSET;
  for (let i = 0; i < n; i++, p += STAGING_RECORD_BYTES) {
    const book = load<i32>(p + SR_BOOK);
    const op = load<i32>(p + SR_OP);
    const code = op & OP_CODE_MASK;
    const side = op >>> OP_SIDE_SHIFT;
    let status: i32;
    if (code == OP_SET) status = bookSet(book, side, load<f64>(p + SR_TICK), load<f64>(p + SR_QTY));
    else if (code == OP_CHANGE) status = bookChange(book, side, load<f64>(p + SR_TICK), load<f64>(p + SR_QTY));
    else if (code == OP_CLEAR_SIDE) status = bookClearSide(book, side);
    else if (code == OP_CLEAR_BOOK) status = bookClear(book);
    else status = badBook(book) ? ERR_BAD_BOOK : recordError(book, ERR_BAD_OP);
    store<i32>(p + SR_STATUS, status);
    if (status != ERR_OK) refused++;
  }
  return refused;
}

export function bookBestBidTick(book: i32): f64 {
  if (badBook(book)) return NaN;
  const t = bestTick(book, 0);
  return t == BID_NONE ? -Infinity : <f64>t;
}
export function bookBestAskTick(book: i32): f64 {
  if (badBook(book)) return NaN;
  const t = bestTick(book, 1);
  return t == ASK_NONE ? Infinity : <f64>t;
}
export function bookBestBidQty(book: i32): f64 {
  if (badBook(book)) return NaN;
  const t = bestTick(book, 0);
  return t == BID_NONE ? 0 : <f64>levelQty(book, 0, t);
}
export function bookBestAskQty(book: i32): f64 {
  if (badBook(book)) return NaN;
  const t = bestTick(book, 1);
  return t == ASK_NONE ? 0 : <f64>levelQty(book, 1, t);
}
export function bookLevelQty(book: i32, side: i32, tick: f64): f64 {
  if (badBook(book) || badSide(side) || badTick(tick)) return NaN;
  return <f64>levelQty(book, side, <i64>tick);
}
/** (best bid + best ask) / 2 in ticks; NaN when a side is empty. */
export function bookMidTick(book: i32): f64 {
  if (badBook(book)) return NaN;
  const b = bestTick(book, 0);
  const a = bestTick(book, 1);
  if (b == BID_NONE || a == ASK_NONE) return NaN;
  return (<f64>b + <f64>a) * 0.5;
}
/** Size-weighted mid: (bid * askQty + ask * bidQty) / (bidQty + askQty); NaN when a side is empty. */
export function bookMicropriceTick(book: i32): f64 {
  if (badBook(book)) return NaN;
  const b = bestTick(book, 0);
  const a = bestTick(book, 1);
  if (b == BID_NONE || a == ASK_NONE) return NaN;
  const bq = <f64>levelQty(book, 0, b);
  const aq = <f64>levelQty(book, 1, a);
  return (<f64>b * aq + <f64>a * bq) / (bq + aq);
}
/** (bidQty - askQty) / (bidQty + askQty) over the top n levels of each side; 0 when both empty. */
export function bookImbalance(book: i32, n: i32): f64 {
  if (badBook(book) || n <= 0) return NaN;
  walkSide(book, 0, n, 0);
  const bq = <f64>walkQtySum;
  walkSide(book, 1, n, 0);
  const aq = <f64>walkQtySum;
  const total = bq + aq;
  return total > 0 ? (bq - aq) / total : 0;
}
/**
 * Writes the top n levels per side to the depth region (bids, then asks at
 * MAX_DEPTH_LEVELS entries further) and returns bidCount | askCount << 16.
 */
export function bookTopN(book: i32, n: i32): i32 {
  if (badBook(book) || n < 0) return -1;
  if (n > MAX_DEPTH_LEVELS) n = MAX_DEPTH_LEVELS;
  const nb = walkSide(book, 0, n, <usize>DEPTH_OUT_OFFSET);
  const na = walkSide(book, 1, n, <usize>DEPTH_OUT_OFFSET + <usize>MAX_DEPTH_LEVELS * DEPTH_LEVEL_BYTES);
  return nb | (na << 16);
}
export function bookFlags(book: i32): i32 {
  if (badBook(book)) return -1;
  let f = load<i32>(bookPtr(book) + BH_FLAGS);
  const b = bestTick(book, 0);
  const a = bestTick(book, 1);
  if (b == BID_NONE) f |= BOOK_FLAG_BID_EMPTY;
  if (a == ASK_NONE) f |= BOOK_FLAG_ASK_EMPTY;
  if (b != BID_NONE && a != ASK_NONE && b >= a) f |= BOOK_FLAG_CROSSED;
  return f;
}
export function bookLevelCount(book: i32, side: i32): i32 {
  if (badBook(book) || badSide(side)) return -1;
  return levelCount(bookPtr(book), side);
}
export function bookOverflowCount(book: i32, side: i32): i32 {
  if (badBook(book) || badSide(side)) return -1;
  return ovfCount(bookPtr(book), side);
}
export function bookBaseTick(book: i32): f64 {
  if (badBook(book)) return NaN;
  return <f64>baseTick(bookPtr(book));
}
export function bookErrors(book: i32): i32 {
  if (badBook(book)) return -1;
  return load<i32>(bookPtr(book) + BH_ERRORS);
}
export function bookLastError(book: i32): i32 {
  if (badBook(book)) return -1;
  return load<i32>(bookPtr(book) + BH_LAST_ERROR);
}
export function bookRecenters(book: i32): i32 {
  if (badBook(book)) return -1;
  return load<i32>(bookPtr(book) + BH_RECENTERS);
}
export function bookUpdates(book: i32): f64 {
  if (badBook(book)) return NaN;
  return load<f64>(bookPtr(book) + BH_UPDATES);
}
