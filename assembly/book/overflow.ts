// Levels that fall outside a book's tick window live in a per-side array of
// (tick, qty) entries sorted by ascending tick. Rare on real data (a few percent
// of updates, far from the touch), so a binary search plus memory.copy is enough.
import { OVERFLOW_CAP, OVERFLOW_ENTRY_BYTES } from '../layout';

@inline export function ovfTick(base: usize, i: i32): i64 {
  return load<i64>(base + (<usize>i << 4));
}
@inline export function ovfQty(base: usize, i: i32): i64 {
  return load<i64>(base + (<usize>i << 4), 8);
}

/** Index of tick if present, else -(insertion point) - 1. */
export function ovfFind(base: usize, count: i32, tick: i64): i32 {
  let lo = 0;
  let hi = count - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const t = ovfTick(base, mid);
    if (t < tick) lo = mid + 1;
    else if (t > tick) hi = mid - 1;
    else return mid;
  }
  return -lo - 1;
}

/** Returns the new count, or -1 when full. */
export function ovfInsertAt(base: usize, count: i32, at: i32, tick: i64, qty: i64): i32 {
  if (count >= OVERFLOW_CAP) return -1;
  const p = base + (<usize>at << 4);
  if (at < count) memory.copy(p + OVERFLOW_ENTRY_BYTES, p, <usize>(count - at) << 4);
  store<i64>(p, tick);
  store<i64>(p, qty, 8);
  return count + 1;
}

export function ovfRemoveAt(base: usize, count: i32, at: i32): i32 {
  const p = base + (<usize>at << 4);
  if (at < count - 1) memory.copy(p, p + OVERFLOW_ENTRY_BYTES, <usize>(count - 1 - at) << 4);
  return count - 1;
}
