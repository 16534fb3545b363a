// Address arithmetic for the volatility region: one block of VOL_STATE_SLOTS f64
// per book. Everything here is @inline and unchecked: the exported entry points
// validate the book index once.
import { VOL_OFFSET, VOL_STATE_SLOTS, VS_BUCKETS } from '../layout';

@inline export function volPtr(book: i32): usize {
  return <usize>VOL_OFFSET + <usize>book * (<usize>VOL_STATE_SLOTS << 3);
}
/** Reads f64 slot `slot` (a VS_* index) of the block at p. */
@inline export function ld(p: usize, slot: i32): f64 {
  return load<f64>(p + (<usize>slot << 3));
}
/** Writes f64 slot `slot` (a VS_* index) of the block at p. */
@inline export function st(p: usize, slot: i32, v: f64): void {
  store<f64>(p + (<usize>slot << 3), v);
}
/** First bucket sum of the block at p. */
@inline export function bucketsPtr(p: usize): usize {
  return p + (<usize>VS_BUCKETS << 3);
}
