// The fast path for feed protocol v1 frames: frameApply(len, owner, flags) takes
// the frame the caller copied into FRAME_IN, checks all of it (frame-check.ts) and
// only then applies its level updates straight to the books — the same setLevel /
// changeLevel calls, in the same order, as the TS decoder driving FeedIngest.
//
// A level the book refuses (a delta below zero, a price beyond ±2^52 ticks, a full
// overflow store) is handled as FeedIngest handles it: the symbol's next seq is the
// refused message's + 1, it leaves the fast path (FP_LIVE = 0), its later messages
// in the frame are skipped (counted in FP_DROPPED) and the book goes in the
// refused list; the ingest then makes it stale ('integrity'), which clears it.
// Whether a refusal happens can depend on earlier messages of the same frame
// (a window move can fill the overflow store), so it is found while applying,
// exactly where the TS path finds it, not guessed beforehand.
import {
  FRAME_IN_BYTES, FRAME_IN_OFFSET, FRAME_OUT_OFFSET, FO_STATUS, FO_AT_MESSAGE, FO_MESSAGES, FO_TOUCHED, FO_REFUSED,
  FO_TOUCHED_LIST, FO_REFUSED_LIST, FP_LIVE, FP_NEXT_SEQ, FP_WORK_SEQ, FP_LAST_TS, FP_DROPPED, FP_REFUSED, FP_TRADES,
  FP_TRADE_SIDE, FP_TRADE_TICK, FP_TRADE_LOT, FP_TRADE_ID, FAST_APPLIED, FAST_FALLBACK_SIZE, FAST_TRADES,
  ERR_OK, ERR_BAD_PRICE,
} from '../layout';
import { setLevel, changeLevel, recordError } from '../book/core';
import {
  FRAME_HEADER_BYTES, MH_TYPE, MH_SYMBOL, MH_SEQ, MH_TS_EXCH, MSG_LEVEL_SET, MSG_TRADE, LV_SIDE, LV_TICK, LV_QTY,
  LEVEL_MESSAGE_BYTES, TR_SIDE, TR_TICK, TR_QTY, TR_ID, TRADE_MESSAGE_BYTES,
} from './wire';
import { recPtr, findBook } from './fast-record';
import { checkFrame } from './frame-check';

/** The books' price range: |tick| <= 2^52 (bookSet refuses anything beyond with ERR_BAD_PRICE). */
const MAX_BOOK_TICK: i64 = 4503599627370496;

/** Pass 2: applies the checked frame of count messages; returns how many books refused a level. */
function applyChecked(owner: i32, count: i32): i32 {
  const out = <usize>FRAME_OUT_OFFSET;
  const refusedList = out + FO_REFUSED_LIST;
  let nRefused = 0;
  let lastSym = -1;
  let book = -1;
  let r: usize = 0;
  let p = <usize>FRAME_IN_OFFSET + FRAME_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    const type = load<u8>(p + MH_TYPE);
    const size = <usize>(type == MSG_TRADE ? TRADE_MESSAGE_BYTES : LEVEL_MESSAGE_BYTES);
    const sym = <i32>load<u16>(p + MH_SYMBOL);
    if (sym != lastSym) {
      book = findBook(owner, sym); // found: the check pass looked it up
      r = recPtr(book);
      lastSym = sym;
    }
    if (load<i32>(r + FP_REFUSED) != 0) {
      store<i32>(r + FP_DROPPED, load<i32>(r + FP_DROPPED) + 1);
      p += size;
      continue;
    }
    store<f64>(r + FP_LAST_TS, <f64>load<u64>(p + MH_TS_EXCH));
    if (type == MSG_TRADE) {
      store<i32>(r + FP_TRADES, load<i32>(r + FP_TRADES) + 1);
      store<i32>(r + FP_TRADE_SIDE, <i32>load<u8>(p + TR_SIDE));
      store<f64>(r + FP_TRADE_TICK, <f64>load<i64>(p + TR_TICK));
      store<f64>(r + FP_TRADE_LOT, <f64>load<i64>(p + TR_QTY));
      store<f64>(r + FP_TRADE_ID, <f64>load<i64>(p + TR_ID));
      p += size;
      continue;
    }
    const side = <i32>load<u8>(p + LV_SIDE);
    const tick = load<i64>(p + LV_TICK);
    const qty = load<i64>(p + LV_QTY);
    let status: i32;
    if (tick > MAX_BOOK_TICK || tick < -MAX_BOOK_TICK) status = recordError(book, ERR_BAD_PRICE);
    else if (type == MSG_LEVEL_SET) status = setLevel(book, side, tick, qty);
    else status = changeLevel(book, side, tick, qty);
    if (status != ERR_OK) {
      store<i32>(r + FP_REFUSED, status);
      store<i32>(r + FP_LIVE, 0);
      store<f64>(r + FP_NEXT_SEQ, <f64>(load<i64>(p + MH_SEQ) + 1));
      store<i32>(refusedList + (<usize>nRefused << 2), book);
      nRefused++;
    }
    p += size;
  }
  return nRefused;
}

/**
 * Checks, then applies, the frame of len bytes at FRAME_IN for ingest owner (> 0).
 * flags: FAST_TRADES lets trades apply (they only update the FP_TRADE* fields).
 * Returns FAST_APPLIED, with the results in the frame-out region and the touched
 * records, or a FAST_FALLBACK_* code (< 0) with nothing changed.
 */
export function frameApply(len: i32, owner: i32, flags: i32): i32 {
  const out = <usize>FRAME_OUT_OFFSET;
  let status: i32;
  if (<u32>len > <u32>FRAME_IN_BYTES || owner <= 0) {
    store<i32>(out + FO_AT_MESSAGE, -1);
    status = FAST_FALLBACK_SIZE;
  } else {
    status = checkFrame(len, owner, (flags & FAST_TRADES) != 0);
  }
  store<i32>(out + FO_STATUS, status);
  if (status != FAST_APPLIED) return status;
  const nRefused = applyChecked(owner, load<i32>(out + FO_MESSAGES));
  store<i32>(out + FO_REFUSED, nRefused);
  const touched = out + FO_TOUCHED_LIST;
  const n = load<i32>(out + FO_TOUCHED);
  for (let i = 0; i < n; i++) {
    const r = recPtr(load<i32>(touched + (<usize>i << 2)));
    if (load<i32>(r + FP_REFUSED) == 0) store<f64>(r + FP_NEXT_SEQ, <f64>load<i64>(r + FP_WORK_SEQ));
  }
  return FAST_APPLIED;
}
