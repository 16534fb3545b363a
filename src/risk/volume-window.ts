// Traded volume in time buckets, for the volume-spike check: the volume of the
// last `windowNs` against the average volume per window over the `baselineNs`
// before it. Buckets are windowNs / 4 wide (wider when the baseline would need
// more than MAX_BUCKETS), so both spans are measured to one bucket. Fixed memory:
// one Float64Array ring, allocated at configure(); the sums are recomputed
// whenever the clock enters a new bucket, so a check is O(1).
//
// The check needs a full baseline of history (the first trade starts the clock)
// and a baseline with some volume in it: a quiet hour followed by one trade is not
// a spike.

export const MAX_BUCKETS = 2048;
const BUCKETS_PER_WINDOW = 4;

export class VolumeWindow {
  private ring = new Float64Array(1);
  private bucketNs = 1;
  private windowBuckets = 1;
  private baselineBuckets = 1;
  /** Id (floor(ts / bucketNs)) of the newest bucket written. */
  private headId = NaN;
  private firstId = NaN;
  private windowSum = 0;
  private totalSum = 0;

  constructor(windowNs: number, baselineNs: number) {
    this.configure(windowNs, baselineNs);
  }

  /** New spans; clears the history. */
  configure(windowNs: number, baselineNs: number): void {
    let bucketNs = windowNs / BUCKETS_PER_WINDOW;
    if ((baselineNs + windowNs) / bucketNs > MAX_BUCKETS - 1) bucketNs = (baselineNs + windowNs) / (MAX_BUCKETS - 1);
    this.bucketNs = bucketNs;
    this.windowBuckets = Math.max(1, Math.round(windowNs / bucketNs));
    this.baselineBuckets = Math.max(1, Math.round(baselineNs / bucketNs));
    const n = this.windowBuckets + this.baselineBuckets;
    if (this.ring.length !== n) this.ring = new Float64Array(n);
    else this.ring.fill(0);
    this.headId = NaN;
    this.firstId = NaN;
    this.windowSum = 0;
    this.totalSum = 0;
  }

  /** Adds a trade at tsNs (a trade older than the newest bucket counts in the newest). */
  add(tsNs: number, qty: number): void {
    if (!(qty > 0) || !Number.isFinite(qty) || !Number.isFinite(tsNs)) return;
    this.advance(tsNs);
    if (Number.isNaN(this.headId)) return;
    const i = this.index(this.headId);
    this.ring[i] = (this.ring[i] ?? 0) + qty;
    this.windowSum += qty;
    this.totalSum += qty;
  }

  /** Moves the clock to tsNs, zeroing the buckets that leave the spans (sums recomputed once per bucket). */
  advance(tsNs: number): void {
    const id = Math.floor(tsNs / this.bucketNs);
    if (!Number.isFinite(id)) return;
    if (Number.isNaN(this.headId)) { this.headId = id; this.firstId = id; return; }
    if (id <= this.headId) return;
    const ring = this.ring;
    const n = ring.length;
    const steps = id - this.headId;
    if (steps >= n) ring.fill(0);
    else for (let k = 1; k <= steps; k++) ring[this.index(this.headId + k)] = 0;
    this.headId = id;
    let w = 0;
    let t = 0;
    for (let k = 0; k < n; k++) {
      const v = ring[this.index(id - k)] ?? 0;
      if (k < this.windowBuckets) w += v;
      t += v;
    }
    this.windowSum = w;
    this.totalSum = t;
  }

  /** Every bucket's volume times `factor` (the symbol's lot size changed: the history in the new lots). */
  scale(factor: number): void {
    if (!(factor > 0) || !Number.isFinite(factor) || factor === 1) return;
    const ring = this.ring;
    for (let i = 0; i < ring.length; i++) ring[i] = ring[i]! * factor;
    this.windowSum *= factor;
    this.totalSum *= factor;
  }

  /** Volume of the current window (its newest windowBuckets buckets). */
  current(): number {
    return this.windowSum;
  }

  /** Average volume per window over the baseline before the current window; NaN until a full baseline was seen. */
  averagePerWindow(): number {
    if (Number.isNaN(this.headId) || this.headId - this.firstId < this.ring.length - 1) return NaN;
    return ((this.totalSum - this.windowSum) * this.windowBuckets) / this.baselineBuckets;
  }

  private index(id: number): number {
    const n = this.ring.length;
    return ((id % n) + n) % n;
  }

  /** current() > multiple × averagePerWindow(), with a full baseline holding some volume. */
  isSpike(multiple: number): boolean {
    const avg = this.averagePerWindow();
    if (!(avg > 0)) return false;
    return this.current() > multiple * avg;
  }
}
