// Per-frame latency samples in preallocated rings: recording is two stores and
// an increment; summaries (percentiles) sort a copy and are for stats and benchmarks.
//  - transitNs: the receiver's monotonic clock when the frame arrived minus the
//    frame's sendTsNs (one-way latency when sender and receiver share a host);
//    frames with sendTsNs = 0 (unknown) record NaN and are left out of summaries;
//  - applyNs: decode + book apply time of the frame.

export interface LatencySummary {
  /** Samples the summary is over (the most recent, at most the capacity). */
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export class LatencyRing {
  readonly capacity: number;
  readonly transitNs: Float64Array;
  readonly applyNs: Float64Array;
  /** Samples ever recorded. */
  total = 0;

  constructor(capacity = 65536) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.transitNs = new Float64Array(capacity);
    this.applyNs = new Float64Array(capacity);
  }

  record(transitNs: number, applyNs: number): void {
    const i = this.total % this.capacity;
    this.transitNs[i] = transitNs;
    this.applyNs[i] = applyNs;
    this.total++;
  }

  /** Samples currently held. */
  get size(): number { return Math.min(this.total, this.capacity); }

  clear(): void { this.total = 0; }

  /** The held samples of one series, oldest first, without NaN (allocates). */
  samples(series: 'transit' | 'apply'): Float64Array {
    const src = series === 'transit' ? this.transitNs : this.applyNs;
    const n = this.size;
    const start = this.total > this.capacity ? this.total % this.capacity : 0;
    const out = new Float64Array(n);
    let k = 0;
    for (let j = 0; j < n; j++) {
      const v = src[(start + j) % this.capacity]!;
      if (!Number.isNaN(v)) out[k++] = v;
    }
    return out.subarray(0, k);
  }

  summary(series: 'transit' | 'apply'): LatencySummary {
    const s = this.samples(series).slice().sort();
    const n = s.length;
    const at = (p: number): number => (n === 0 ? NaN : s[Math.min(n - 1, Math.floor(p * n))]!);
    return { count: n, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: n === 0 ? NaN : s[n - 1]! };
  }
}
