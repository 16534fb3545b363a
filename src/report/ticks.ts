// Axis ranges and tick values: "nice" numbers 1, 2, 5 x 10^k for value axes, calendar-like
// steps (1 s, 15 s, 5 min, 1 h, ...) for UTC time axes with x in epoch milliseconds.

/** Inclusive axis range; always finite with lo < hi. */
export interface AxisRange {
  lo: number;
  hi: number;
}

export interface Ticks {
  /** Tick positions inside [lo, hi]. */
  values: number[];
  /** Distance between consecutive ticks. */
  step: number;
  /** Label per tick, same order as `values`. */
  labels: string[];
}

/** Largest magnitude used for ranges: beyond this, half-sums and spans could overflow. */
const MAX_ABS = 1e307;

/**
 * Range of the finite values seen, or null when there are none. Callers then pad it with
 * `padRange`.
 */
export function finiteExtent(arrays: Iterable<ArrayLike<number>>): AxisRange | null {
  let lo = Infinity;
  let hi = -Infinity;
  for (const a of arrays) {
    for (let i = 0; i < a.length; i++) {
      const v = a[i]!;
      if (v < lo && Number.isFinite(v)) lo = v;
      if (v > hi && Number.isFinite(v)) hi = v;
    }
  }
  return lo <= hi ? { lo, hi } : null;
}

/**
 * A drawable range for the data extent: widens a single value to a non-empty range, adds a
 * small margin (`padFraction` of the span) on both sides, and clamps to +-1e307 so that
 * spans stay finite.
 */
export function padRange(extent: AxisRange | null, padFraction: number): AxisRange {
  if (extent === null) return { lo: 0, hi: 1 };
  let lo = Math.max(-MAX_ABS, extent.lo);
  let hi = Math.min(MAX_ABS, extent.hi);
  if (!(hi > lo)) {
    const d = lo === 0 ? 1 : Math.abs(lo) * 0.05;
    lo -= d;
    hi += d;
    if (!(hi > lo)) {
      // A value so large that 5% of it does not change it cannot happen with doubles, but a
      // range degenerate after clamping can: widen to a unit range.
      lo = extent.lo - 1;
      hi = extent.lo + 1;
    }
    return { lo: Math.max(-MAX_ABS * 1.5, lo), hi: Math.min(MAX_ABS * 1.5, hi) };
  }
  // Keep at least a few parts in 10^12 of the magnitude so that ticks stay distinct numbers.
  const minSpan = Math.max(Math.abs(lo), Math.abs(hi)) * 1e-12;
  if (hi - lo < minSpan) {
    const mid = lo / 2 + hi / 2;
    lo = mid - minSpan / 2;
    hi = mid + minSpan / 2;
  }
  const pad = (hi - lo) * padFraction;
  return { lo: lo - pad, hi: hi + pad };
}

/** The smallest 1, 2 or 5 x 10^k that is >= x (x > 0). */
export function niceStepAtLeast(x: number): number {
  const k = Math.floor(Math.log10(x));
  for (const m of [1, 2, 5, 10]) {
    const step = m * Math.pow(10, k);
    // Guard against 10^k being slightly off in binary.
    if (step >= x * (1 - 1e-12)) return step;
  }
  return 10 * Math.pow(10, k);
}

/**
 * Ticks at multiples of a 1/2/5 x 10^k step inside [lo, hi], with at most `maxTicks`
 * (>= 2) of them. Tick values are computed as integer multiples of the step so they are
 * exact decimals when printed.
 */
export function niceTicks(range: AxisRange, maxTicks: number): Ticks {
  const n = Math.max(2, Math.floor(maxTicks));
  const span = range.hi - range.lo;
  if (!(span > 0) || !Number.isFinite(span)) return endpointTicks(range);
  let step = niceStepAtLeast(span / n);
  const values: number[] = [];
  for (let guard = 0; guard < 4; guard++) {
    values.length = 0;
    const k0 = Math.ceil(range.lo / step - 1e-9);
    const k1 = Math.floor(range.hi / step + 1e-9);
    // Multiples beyond 2^52 are not distinct doubles: the range is too narrow for its
    // magnitude to have ticks of its own.
    if (Math.abs(k0) > 2 ** 52 || Math.abs(k1) > 2 ** 52) return endpointTicks(range);
    if (k1 - k0 + 1 <= n) {
      for (let k = k0; k <= k1; k++) values.push(k * step);
      break;
    }
    step = niceStepAtLeast(step * 1.01);
  }
  return { values, step, labels: formatNumberTicks(values, step) };
}

/** Fallback: a tick at each end of the range, with as many digits as it takes to tell them apart. */
function endpointTicks(range: AxisRange): Ticks {
  const values = range.hi > range.lo ? [range.lo, range.hi] : [range.lo];
  let labels = values.map(formatValue);
  for (let digits = 7; digits <= 17 && new Set(labels).size < labels.length; digits++) {
    labels = values.map((v) => v.toPrecision(digits));
  }
  return { values, step: Math.max(range.hi - range.lo, Number.MIN_VALUE), labels };
}

/**
 * Labels for ticks `step` apart: plain decimals with just enough digits to tell the ticks
 * apart, or scientific notation (1.5e+12, 2e-7) for very large or very small magnitudes.
 */
export function formatNumberTicks(values: readonly number[], step: number): string[] {
  const maxAbs = values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  if (maxAbs >= 1e9 || (step < 1e-6 && maxAbs < 1e-3) || step < 1e-9) {
    // Digits needed: the step's exponent relative to the largest value's exponent.
    const expMax = maxAbs > 0 ? Math.floor(Math.log10(maxAbs)) : 0;
    const expStep = Math.floor(Math.log10(step));
    const digits = Math.min(15, Math.max(0, expMax - expStep + (isOneTimesPow10(step) ? 0 : 1)));
    return values.map((v) => (v === 0 ? '0' : trimExp(v.toExponential(Math.min(digits, 20)))));
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  return values.map((v) => {
    const s = v.toFixed(Math.min(20, decimals));
    return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
  });
}

function isOneTimesPow10(step: number): boolean {
  const m = step / Math.pow(10, Math.floor(Math.log10(step)));
  return Math.abs(m - 1) < 1e-9;
}

/** "1.50e+12" -> "1.5e+12". */
function trimExp(s: string): string {
  return s.replace(/\.?0+e/, 'e');
}

/** Compact label for a single value (heat-map axes and cells, legend range): 6 significant digits. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return trimExp(v.toExponential(3));
  const s = v.toPrecision(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}

// ---------------------------------------------------------------------------------------
// Time axes (x in epoch milliseconds, labels in UTC)

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/** Steps a reader can count in: sub-second steps are 1/2/5 x 10^k ms. */
const TIME_STEPS_MS: readonly number[] = [
  1, 2, 5, 10, 20, 50, 100, 200, 500,
  SECOND_MS, 2 * SECOND_MS, 5 * SECOND_MS, 10 * SECOND_MS, 15 * SECOND_MS, 30 * SECOND_MS,
  MINUTE_MS, 2 * MINUTE_MS, 5 * MINUTE_MS, 10 * MINUTE_MS, 15 * MINUTE_MS, 30 * MINUTE_MS,
  HOUR_MS, 2 * HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS,
  DAY_MS, 2 * DAY_MS, 7 * DAY_MS,
];

/** Epoch ms outside this span has no valid Date; such axes fall back to number ticks. */
const MAX_DATE_MS = 8.64e15;

/**
 * Ticks for a UTC time axis: the smallest step from the list giving at most `maxTicks`,
 * aligned to multiples of the step since the epoch (so minute ticks land on :00 seconds).
 * Labels are HH:MM:SS (HH:MM:SS.mmm below one second; YYYY-MM-DD at midnight for steps of an
 * hour or more).
 */
export function timeTicks(range: AxisRange, maxTicks: number): Ticks {
  const n = Math.max(2, Math.floor(maxTicks));
  const span = range.hi - range.lo;
  if (Math.abs(range.lo) > MAX_DATE_MS || Math.abs(range.hi) > MAX_DATE_MS) return niceTicks(range, n);
  let step = TIME_STEPS_MS.find((s) => span / s <= n);
  if (step === undefined) {
    // Beyond weeks: whole days, in a 1/2/5 x 10^k count.
    step = niceStepAtLeast(span / n / DAY_MS) * DAY_MS;
  }
  const values: number[] = [];
  const k0 = Math.ceil(range.lo / step);
  const k1 = Math.floor(range.hi / step);
  for (let k = k0; k <= k1; k++) values.push(k * step);
  return { values, step, labels: values.map((v) => formatUtcTick(v, step)) };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** One time label for a tick `stepMs` apart from its neighbours. */
export function formatUtcTick(epochMs: number, stepMs: number): string {
  const d = new Date(epochMs);
  const hms = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (stepMs < SECOND_MS) return `${hms}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;
  // From hourly steps up, ticks at midnight show the date instead.
  if (stepMs >= HOUR_MS && epochMs % DAY_MS === 0) return utcDate(epochMs);
  return hms;
}

/** 'YYYY-MM-DD' of an epoch-ms instant in UTC ('' when out of the Date range). */
export function utcDate(epochMs: number): string {
  if (!(Math.abs(epochMs) <= MAX_DATE_MS)) return '';
  return new Date(epochMs).toISOString().slice(0, 10);
}
