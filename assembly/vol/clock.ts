// Moves one book's volatility clock forward: decays the EWMA sums and rolls the
// bucket window. Time never runs backwards: an earlier timestamp counts as dt = 0.
import { VOL_BUCKETS, VS_LAST_TS_US, VS_WINDOW_US } from '../layout';
import { ld, st } from './addr';
import { startBuckets, rollBuckets } from './buckets';
import { decayEwma } from './ewma';

const BUCKETS: f64 = <f64>VOL_BUCKETS;

export function advanceClock(p: usize, tsUs: f64): void {
  const last = ld(p, VS_LAST_TS_US);
  if (!(tsUs > last)) return;
  const id = Math.floor(tsUs * BUCKETS / ld(p, VS_WINDOW_US));
  if (last == -Infinity) {
    startBuckets(p, id);
  } else {
    decayEwma(p, tsUs - last);
    rollBuckets(p, id);
  }
  st(p, VS_LAST_TS_US, tsUs);
}
