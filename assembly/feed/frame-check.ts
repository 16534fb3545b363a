// Pass 1 of frameApply: checks the whole frame in FRAME_IN before anything is
// applied. Every protocol check of docs/feed-protocol.md that a frame of level
// updates (and trades) can fail is made; on top, every symbol must be this
// ingest's and live, and every seq the next one of its symbol. The first failure
// ends the check with a FAST_FALLBACK_* code: the caller then hands the same bytes
// to the TS decoder, which names the error or applies the frame its own way.
// Nothing outside the fast-path records is written here.
import {
  FRAME_IN_OFFSET, FRAME_OUT_OFFSET, FO_MESSAGES, FO_LEVELS, FO_TOUCHED, FO_END_OF_BATCH, FO_AT_MESSAGE,
  FO_SEND_TS, FO_TOUCHED_LIST, FP_GEN, FP_NEXT_SEQ, FP_WORK_SEQ, FP_MESSAGES, FP_DROPPED, FP_REFUSED, FP_TRADES,
  FAST_APPLIED, FAST_FALLBACK_INVALID, FAST_FALLBACK_TYPE, FAST_FALLBACK_SYMBOL, FAST_FALLBACK_SEQ,
} from '../layout';
import {
  FRAME_MAGIC, PROTOCOL_VERSION, FRAME_HEADER_BYTES, FH_VERSION, FH_FLAGS, FH_COUNT, FH_FRAME_BYTES, FH_SEND_TS,
  FRAME_FLAG_END_OF_BATCH, MESSAGE_HEADER_BYTES, MH_TYPE, MH_FLAGS, MH_SYMBOL, MH_LENGTH, MH_SEQ,
  MSG_LEVEL_SET, MSG_LEVEL_CHANGE, MSG_TRADE, LV_SIDE, LV_TICK, LV_QTY, LEVEL_MESSAGE_BYTES, TR_ID, TRADE_MESSAGE_BYTES,
  safeInt, safeUint,
} from './wire';
import { recPtr, findBook, isLive, nextFrameGen } from './fast-record';

const MSG_INSTRUMENT: u8 = 1;
const MSG_HEARTBEAT: u8 = 6;

@inline function fallback(code: i32, atMessage: i32): i32 {
  store<i32>(<usize>FRAME_OUT_OFFSET + FO_AT_MESSAGE, atMessage);
  return code;
}

/**
 * Checks the len bytes at FRAME_IN for ingest owner. Returns FAST_APPLIED when the
 * frame may be applied (the frame-out header and the touched records are then
 * filled in), else the fallback code.
 */
export function checkFrame(len: i32, owner: i32, trades: bool): i32 {
  const out = <usize>FRAME_OUT_OFFSET;
  const f = <usize>FRAME_IN_OFFSET;
  if (len < FRAME_HEADER_BYTES) return fallback(FAST_FALLBACK_INVALID, -1);
  const flags = load<u8>(f + FH_FLAGS);
  if (load<u32>(f) != FRAME_MAGIC || load<u8>(f + FH_VERSION) != PROTOCOL_VERSION
    || (flags & ~FRAME_FLAG_END_OF_BATCH) != 0 || load<u32>(f + FH_FRAME_BYTES) != <u32>len) {
    return fallback(FAST_FALLBACK_INVALID, -1);
  }
  const count = <i32>load<u16>(f + FH_COUNT);
  const end = f + <usize>len;
  const gen = nextFrameGen();
  const touched = out + FO_TOUCHED_LIST;
  let nTouched = 0;
  let levels = 0;
  // the current symbol's record, its next seq and message count live in locals
  let lastSym = -1;
  let r: usize = 0;
  let want: i64 = 0;
  let msgs = 0;
  let p = f + FRAME_HEADER_BYTES;
  for (let i = 0; i < count; i++) {
    if (<i32>(end - p) < MESSAGE_HEADER_BYTES) return fallback(FAST_FALLBACK_INVALID, i);
    const type = load<u8>(p + MH_TYPE);
    let size: i32;
    if (type == MSG_LEVEL_SET || type == MSG_LEVEL_CHANGE) size = LEVEL_MESSAGE_BYTES;
    else if (type == MSG_TRADE && trades) size = TRADE_MESSAGE_BYTES;
    else return fallback(type >= MSG_INSTRUMENT && type <= MSG_HEARTBEAT ? FAST_FALLBACK_TYPE : FAST_FALLBACK_INVALID, i);
    if (load<u8>(p + MH_FLAGS) != 0 || load<u32>(p + MH_LENGTH) != <u32>size || <i32>(end - p) < size) {
      return fallback(FAST_FALLBACK_INVALID, i);
    }
    const sym = <i32>load<u16>(p + MH_SYMBOL);
    if (sym != lastSym) {
      const b = findBook(owner, sym);
      if (b < 0) return fallback(FAST_FALLBACK_SYMBOL, i);
      if (r != 0) {
        store<i64>(r + FP_WORK_SEQ, want);
        store<i32>(r + FP_MESSAGES, msgs);
      }
      r = recPtr(b);
      lastSym = sym;
      if (load<i32>(r + FP_GEN) != gen) {
        if (!isLive(r)) return fallback(FAST_FALLBACK_SYMBOL, i);
        store<i32>(r + FP_GEN, gen);
        store<i64>(r + FP_WORK_SEQ, <i64>load<f64>(r + FP_NEXT_SEQ));
        store<i32>(r + FP_MESSAGES, 0);
        store<i32>(r + FP_DROPPED, 0);
        store<i32>(r + FP_REFUSED, 0);
        store<i32>(r + FP_TRADES, 0);
        store<i32>(touched + (<usize>nTouched << 2), b);
        nTouched++;
      }
      want = load<i64>(r + FP_WORK_SEQ);
      msgs = load<i32>(r + FP_MESSAGES);
    }
    const seq = load<i64>(p + MH_SEQ);
    if (!safeUint(seq)) return fallback(FAST_FALLBACK_INVALID, i);
    if (seq != want) return fallback(FAST_FALLBACK_SEQ, i);
    want++;
    msgs++;
    if (load<u8>(p + LV_SIDE) > 1 || !safeInt(load<i64>(p + LV_TICK))) return fallback(FAST_FALLBACK_INVALID, i);
    const q = load<i64>(p + LV_QTY);
    if (!safeInt(q)) return fallback(FAST_FALLBACK_INVALID, i);
    if (type == MSG_LEVEL_SET) {
      if (q < 0) return fallback(FAST_FALLBACK_INVALID, i);
      levels++;
    } else if (type == MSG_LEVEL_CHANGE) {
      levels++;
    } else if (q <= 0 || !safeUint(load<i64>(p + TR_ID))) {
      return fallback(FAST_FALLBACK_INVALID, i);
    }
    p += <usize>size;
  }
  if (p != end) return fallback(FAST_FALLBACK_INVALID, -1);
  if (r != 0) {
    store<i64>(r + FP_WORK_SEQ, want);
    store<i32>(r + FP_MESSAGES, msgs);
  }
  store<i32>(out + FO_MESSAGES, count);
  store<i32>(out + FO_LEVELS, levels);
  store<i32>(out + FO_TOUCHED, nTouched);
  store<i32>(out + FO_END_OF_BATCH, <i32>(flags & FRAME_FLAG_END_OF_BATCH));
  store<f64>(out + FO_SEND_TS, <f64>load<u64>(f + FH_SEND_TS));
  store<i32>(out + FO_AT_MESSAGE, -1);
  return FAST_APPLIED;
}
