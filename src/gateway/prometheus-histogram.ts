// A Prometheus histogram with fixed buckets, updated in place: observe() scans a
// preallocated array of upper bounds and increments one slot, so it can run on the
// engine's batch path without allocating. Counts are kept per bucket (not
// cumulative); the exposition (prometheus-text.ts) sums them into `le` buckets.
import { SpreadcoreError } from '../errors.js';

/** Latency buckets in seconds, 5 µs .. 250 ms. */
export const LATENCY_BUCKETS_S: readonly number[] = [
  0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
];

export class FixedHistogram {
  /** Upper bounds, strictly increasing (the +Inf bucket is implicit). */
  readonly bounds: Float64Array;
  /** Observations per bucket; the last slot is the +Inf overflow. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(bounds: readonly number[] = LATENCY_BUCKETS_S) {
    if (bounds.length === 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'a histogram needs at least one bucket');
    for (let i = 0; i < bounds.length; i++) {
      const b = bounds[i]!;
      if (!Number.isFinite(b) || (i > 0 && !(b > bounds[i - 1]!))) {
        throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `histogram bounds must be finite and strictly increasing, got ${bounds.join(', ')}`);
      }
    }
    this.bounds = Float64Array.from(bounds);
    this.counts = new Float64Array(bounds.length + 1);
  }

  /** Adds one observation (NaN is ignored). */
  observe(v: number): void {
    if (v !== v) return;
    const b = this.bounds;
    let i = 0;
    while (i < b.length && v > b[i]!) i++;
    this.counts[i]!++;
    this.sum += v;
    this.count++;
  }
}
