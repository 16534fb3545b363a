// The rolling window: VOL_BUCKETS time buckets of squared log returns and their
// running sum. Rolling forward zeroes the buckets that expire and recomputes the
// sum from the buckets, so rounding error never accumulates across rolls.
import { VOL_BUCKETS, VS_BUCKET_ID, VS_SUM_SQ } from '../layout';
import { ld, st, bucketsPtr } from './addr';

const MASK: i64 = <i64>(VOL_BUCKETS - 1);

@inline function slotOf(bucketId: f64): usize {
  return <usize>(<i64>bucketId & MASK);
}

/** Starts the window at bucket `id` (the first clock time). */
@inline export function startBuckets(p: usize, id: f64): void {
  st(p, VS_BUCKET_ID, id);
}

/** Moves the current bucket forward to `id`; an id at or behind the current one does nothing. */
export function rollBuckets(p: usize, id: f64): void {
  const cur = ld(p, VS_BUCKET_ID);
  if (!(id > cur)) return;
  const bp = bucketsPtr(p);
  const gap = id - cur;
  if (gap >= <f64>VOL_BUCKETS) {
    memory.fill(bp, 0, <usize>VOL_BUCKETS << 3);
    st(p, VS_SUM_SQ, 0);
  } else {
    const n = <i32>gap;
    let slot = slotOf(cur);
    for (let i = 0; i < n; i++) {
      slot = (slot + 1) & <usize>MASK;
      store<f64>(bp + (slot << 3), 0);
    }
    let sum: f64 = 0;
    for (let i: usize = 0; i < <usize>VOL_BUCKETS; i++) sum += load<f64>(bp + (i << 3));
    st(p, VS_SUM_SQ, sum);
  }
  st(p, VS_BUCKET_ID, id);
}

/** Adds a squared return to the current bucket and the running sum. */
@inline export function addSquared(p: usize, r2: f64): void {
  const a = bucketsPtr(p) + (slotOf(ld(p, VS_BUCKET_ID)) << 3);
  store<f64>(a, load<f64>(a) + r2);
  st(p, VS_SUM_SQ, ld(p, VS_SUM_SQ) + r2);
}

/** Square root of the windowed sum of squared log returns. */
@inline export function rollingVol(p: usize): f64 {
  return Math.sqrt(ld(p, VS_SUM_SQ));
}
