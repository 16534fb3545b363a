// Equity sampled at marks (realized − fees + unrealized at the mark): running peak
// and maximum drawdown, and the per-interval equity changes behind Sharpe and
// Sortino.
//
// Time is cut into fixed buckets (bucketNs wide, aligned to the epoch). A bucket's
// close is the equity at its last mark; its return is that close minus the
// previous bucket's close (the first bucket starts from 0, the equity of an empty
// ledger). Buckets without a mark repeat the previous close, a return of 0. A
// bucket counts once a mark in a later bucket arrives; the current one is open.
// Returns are P&L in the quote currency per bucket: dividing them by a fixed
// capital would not change either ratio. Only running sums are kept, so memory is
// constant however long the run.
import { Decimal, ZERO } from './decimal.js';

export const SECONDS_PER_YEAR = 365 * 24 * 3600; // markets that never close

export interface EquityState {
  bucketNs: bigint;
  marks: number;
  peak: Decimal;
  maxDrawdown: Decimal;
  lastEquity: Decimal;
  /** Bucket index of the last mark; null before the first mark. */
  bucket: bigint | null;
  prevClose: Decimal;
  /** Completed buckets (returns) counted. */
  n: number;
  sum: Decimal;
  sumSq: Decimal;
  /** Σ min(r, 0)² (downside, target 0). */
  downSq: Decimal;
}

export function emptyEquity(bucketNs: bigint): EquityState {
  return { bucketNs, marks: 0, peak: ZERO, maxDrawdown: ZERO, lastEquity: ZERO, bucket: null, prevClose: ZERO, n: 0, sum: ZERO, sumSq: ZERO, downSq: ZERO };
}

function addReturn(s: EquityState, r: Decimal): void {
  s.n++;
  s.sum = s.sum.plus(r);
  const sq = r.times(r);
  s.sumSq = s.sumSq.plus(sq);
  if (r.isNegative()) s.downSq = s.downSq.plus(sq);
}

/** One equity sample at mark time `tNs` (non-decreasing). Mutates `s`. */
export function onEquity(s: EquityState, equity: Decimal, tNs: bigint): void {
  const b = tNs >= 0n ? tNs / s.bucketNs : (tNs - s.bucketNs + 1n) / s.bucketNs;
  if (s.bucket !== null && b > s.bucket) {
    addReturn(s, s.lastEquity.minus(s.prevClose));
    s.n += Number(b - s.bucket - 1n); // empty buckets: returns of 0
    s.prevClose = s.lastEquity;
  }
  s.bucket = b;
  s.marks++;
  // the same equity object as the last sample (a Decimal is immutable): peak and drawdown already count it
  if (equity === s.lastEquity) return;
  s.lastEquity = equity;
  if (equity.gt(s.peak)) s.peak = equity;
  const dd = s.peak.minus(equity);
  if (dd.gt(s.maxDrawdown)) s.maxDrawdown = dd;
}

export interface RatioStats {
  /** Completed buckets. */
  buckets: number;
  meanReturn: Decimal | null;
  /** Sample standard deviation (n − 1). */
  stdevReturn: Decimal | null;
  /** mean / stdev × √(buckets per year); null with fewer than minBuckets buckets or no variation. */
  sharpe: Decimal | null;
  /** mean / √(Σ min(r,0)² / n) × √(buckets per year); null with fewer than minBuckets buckets or no losing bucket. */
  sortino: Decimal | null;
  /** Why sharpe / sortino is null, else null. */
  sharpeNote: string | null;
  sortinoNote: string | null;
}

/**
 * Fewest returns a ratio is reported from. With n returns the estimate's standard
 * error is about √((1 + SR²/2) / n) per bucket (Lo 2002, "The Statistics of Sharpe
 * Ratios", for i.i.d. returns), i.e. ±0.18 per bucket at n = 30 before it is scaled
 * by √(buckets per year) — already ±130 annualised for 1-minute buckets; below 30 the
 * figure says nothing.
 */
export const MIN_RATIO_BUCKETS = 30;

export function ratioStats(s: EquityState, minBuckets: number = MIN_RATIO_BUCKETS): RatioStats {
  const n = s.n;
  const secs = Number(s.bucketNs) / 1e9;
  const few = `${n} return bucket${n === 1 ? '' : 's'} of ${secs} s, fewer than the ${Math.max(2, minBuckets)} a ratio needs`;
  if (n === 0) return { buckets: 0, meanReturn: null, stdevReturn: null, sharpe: null, sortino: null, sharpeNote: few, sortinoNote: few };
  const mean = s.sum.div(n);
  if (n < 2) return { buckets: n, meanReturn: mean, stdevReturn: null, sharpe: null, sortino: null, sharpeNote: few, sortinoNote: few };
  let variance = s.sumSq.minus(mean.times(s.sum)).div(n - 1);
  if (variance.isNegative()) variance = ZERO;
  const stdev = variance.sqrt();
  const perYear = new Decimal(SECONDS_PER_YEAR).times(1e9).div(s.bucketNs.toString()).sqrt();
  if (n < minBuckets) return { buckets: n, meanReturn: mean, stdevReturn: stdev, sharpe: null, sortino: null, sharpeNote: few, sortinoNote: few };
  const sharpe = stdev.isZero() ? null : mean.div(stdev).times(perYear);
  const downDev = s.downSq.div(n).sqrt();
  const sortino = downDev.isZero() ? null : mean.div(downDev).times(perYear);
  return {
    buckets: n, meanReturn: mean, stdevReturn: stdev, sharpe, sortino,
    sharpeNote: sharpe === null ? 'equity did not vary between buckets' : null,
    sortinoNote: sortino === null ? 'no losing bucket' : null,
  };
}

export interface EquityJson {
  bucketNs: string; marks: number; peak: string; maxDrawdown: string; lastEquity: string; bucket: string | null;
  prevClose: string; n: number; sum: string; sumSq: string; downSq: string;
}

export function encodeEquity(s: EquityState): EquityJson {
  return {
    bucketNs: s.bucketNs.toString(),
    marks: s.marks,
    peak: s.peak.toString(),
    maxDrawdown: s.maxDrawdown.toString(),
    lastEquity: s.lastEquity.toString(),
    bucket: s.bucket === null ? null : s.bucket.toString(),
    prevClose: s.prevClose.toString(),
    n: s.n,
    sum: s.sum.toString(),
    sumSq: s.sumSq.toString(),
    downSq: s.downSq.toString(),
  };
}

export function decodeEquity(j: EquityJson): EquityState {
  return {
    bucketNs: BigInt(j.bucketNs),
    marks: j.marks,
    peak: new Decimal(j.peak),
    maxDrawdown: new Decimal(j.maxDrawdown),
    lastEquity: new Decimal(j.lastEquity),
    bucket: j.bucket === null ? null : BigInt(j.bucket),
    prevClose: new Decimal(j.prevClose),
    n: j.n,
    sum: new Decimal(j.sum),
    sumSq: new Decimal(j.sumSq),
    downSq: new Decimal(j.downSq),
  };
}
