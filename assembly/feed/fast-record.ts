// The fast path's record per book slot (FP_* fields of assembly/layout.ts): owner
// ingest and feed symbol, whether in-sequence updates may apply here, the next
// seq, and what the last frame did to the symbol. The ingest writes the first four
// from TypeScript whenever its own state changes; frameApply writes the rest.
import {
  MAX_BOOKS, FAST_STATE_OFFSET, FAST_RECORD_BYTES, FP_OWNER, FP_SYMBOL, FP_LIVE, FP_GEN,
} from '../layout';

@inline export function recPtr(book: i32): usize {
  return <usize>FAST_STATE_OFFSET + <usize>book * <usize>FAST_RECORD_BYTES;
}

/** The book slot holding symbol sym of ingest owner, -1 when none. */
export function findBook(owner: i32, sym: i32): i32 {
  let r = <usize>FAST_STATE_OFFSET;
  for (let b = 0; b < MAX_BOOKS; b++, r += FAST_RECORD_BYTES) {
    if (load<i32>(r + FP_SYMBOL) == sym && load<i32>(r + FP_OWNER) == owner) return b;
  }
  return -1;
}

@inline export function isLive(r: usize): bool {
  return load<i32>(r + FP_LIVE) == 1;
}

/** Frame generation stamps: a record whose FP_GEN differs was not touched by the current frame. */
let frameGen: i32 = 0;

/** Starts a frame: a fresh generation (stamps are cleared when the counter would wrap). */
export function nextFrameGen(): i32 {
  if (frameGen == i32.MAX_VALUE) {
    let r = <usize>FAST_STATE_OFFSET;
    for (let b = 0; b < MAX_BOOKS; b++, r += FAST_RECORD_BYTES) store<i32>(r + FP_GEN, 0);
    frameGen = 0;
  }
  return ++frameGen;
}
